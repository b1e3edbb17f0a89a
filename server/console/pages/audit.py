"""The audit log, read-only: who changed what, when, at which site, before -> after.

Every role reads the entries of the sites it holds a role on; entries of no site
(accounts, groups, which span sites) are for HR admins only.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.console.auth.access import ADMIN, CAPABILITIES, Denied, Principal
from server.console.deps import Viewer, db_of
from server.console.frame import page
from server.console.pages import filters
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
    scope = scope_of(who)
    if scope is not None and not scope:
        raise Denied(403)
    site_id = int(site) if site.isdigit() else None
    if site_id is not None and scope is not None and site_id not in scope:
        raise Denied(404)  # another site's log: as if it did not exist
    start, end, errors = filters.day_range(who, since, until)
    number_i = filters.page_number(request)
    since_utc, until_utc = filters.utc_bounds(start, end) if not errors else (None, None)
    f = audit.Filters(scope, who.can(ADMIN), actor.strip()[:100], action.strip()[:64],
                      site_id, since_utc, until_utc)
    with db_of(request).read() as conn:
        rows, total = audit.search(conn, f, PAGE_SIZE, (number_i - 1) * PAGE_SIZE)
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
