"""The audit log, read-only: who changed what, when, at which site, before -> after.

Every role reads the entries of the sites it holds a role on; entries of no site
(accounts, groups, which span sites) are for HR admins only.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.console import web
from server.console.auth.access import ADMIN, CAPABILITIES, Denied, Principal
from server.console.deps import Viewer, db_of
from server.console.frame import page
from server.repo import audit, directory

router = APIRouter()
PAGE_SIZE = 50


def scope_of(who: Principal) -> set[int] | None:
    """Sites whose entries the caller reads (None: every site)."""
    found: set[int] = set()
    for capability in set().union(*CAPABILITIES.values()):
        sites = who.sites(capability)
        if sites is None:
            return None
        found |= sites
    return found


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _changes(raw: str) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of an entry's JSON."""
    try:
        found = json.loads(raw)
    except ValueError:
        return []
    return [(key, *pair) for key, pair in found.items()
            if isinstance(pair, list) and len(pair) == 2]


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@router.get("/audit")
def audit_log(request: Request, who: Viewer, actor: str = "", action: str = "",
              site: str = "", since: str = "", until: str = "") -> Response:
    _ = web.words(who)
    scope = scope_of(who)
    if scope is not None and not scope:
        raise Denied(403)
    site_id = int(site) if site.isdigit() else None
    if site_id is not None and scope is not None and site_id not in scope:
        raise Denied(404)  # another site's log: as if it did not exist
    start, end = _day(since), _day(until)
    errors = {}
    if since and start is None:
        errors["since"] = _("Enter a date as YYYY-MM-DD.")
    if until and end is None:
        errors["until"] = _("Enter a date as YYYY-MM-DD.")
    if start and end and end < start:
        errors["until"] = _("The end date is before the start date.")
    number = request.query_params.get("page", "1")
    number_i = int(number) if number.isdigit() and 0 < int(number) < 100_000 else 1
    filters = audit.Filters(
        scope, who.can(ADMIN), actor.strip()[:100], action.strip()[:64], site_id,
        datetime.combine(start, time(), UTC) if start and not errors else None,
        datetime.combine(end + timedelta(days=1), time(), UTC) if end and not errors else None)
    with db_of(request).read() as conn:
        rows, total = audit.search(conn, filters, PAGE_SIZE, (number_i - 1) * PAGE_SIZE)
        known_actions = audit.actions(conn, scope, who.can(ADMIN))
        zones = {row.id: row.timezone for row in directory.list_sites(conn)}
    sites = {k: v for k, v in who.site_names.items() if scope is None or k in scope}
    entries = [{"row": row, "zone": zones.get(row.site_id, "UTC"),
                "site": who.site_names.get(row.site_id, "") if row.site_id else "",
                "changes": [(key, _shown(b), _shown(a)) for key, b, a in _changes(row.changes)]}
               for row in rows]
    return page(request, who, "audit/list.html", status=422 if errors else 200,
                entries=entries, total=total, sites=sites, actions=known_actions,
                f={"actor": actor, "action": action, "site": site_id, "since": since,
                   "until": until}, errors=errors, page_no=number_i, size=PAGE_SIZE)
