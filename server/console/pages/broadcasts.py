"""Broadcasts: the list (site, sender, dates, status, text), and a report per message:
"18 of 25 read, 12 acknowledged", who has not read or acknowledged with their last
punch on site since it was sent, as a page or CSV, and a reminder to those who have
not acknowledged. A broadcast belongs to its sender's home site."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from server.actions import broadcasts, scheduled_broadcasts
from server.console import web
from server.console.auth.access import MANAGE_PEOPLE, READ, Denied, Principal
from server.console.deps import Sent, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.console.pages import filters
from server.repo import broadcast_reads
from server.repo.punch_reads import zone
from server.services.punch_csv import safe

router = APIRouter()
PAGE_SIZE = 50
# Names a report shows at first; "show all" and the CSV give every one. Rendering
# 5,000 rows would cost more than the report's queries (docs/benchmarks.md).
REPORT_NAMES = 200


@router.get("/broadcasts")
def broadcast_list(request: Request, who: Viewer, site: str = "", sender: str = "",
                   since: str = "", until: str = "", status: str = "",
                   q: str = "") -> Response:
    who.require(READ)
    scope = who.sites(READ)
    site_id = int(site) if site.isdigit() else None
    if site_id is not None and scope is not None and site_id not in scope:
        raise Denied(404)
    start, end, errors = filters.day_range(who, since, until)
    since_utc, until_utc = filters.utc_bounds(start, end) if not errors else (None, None)
    f = broadcast_reads.BroadcastFilters(
        scope, site_id, sender[:100], since_utc, until_utc,
        status if status in ("active", "expired") else "", q[:200])
    number_i = filters.page_number(request)
    with db_of(request).read() as conn:
        rows, total = broadcast_reads.list_broadcasts(conn, f, PAGE_SIZE,
                                                      (number_i - 1) * PAGE_SIZE)
        scheduled = scheduled_broadcasts.pending(conn, scope)
    sites = {k: v for k, v in who.site_names.items() if scope is None or k in scope}
    return page(request, who, "broadcasts/list.html", status=422 if errors else 200,
                rows=rows, total=total, sites=sites, errors=errors, page_no=number_i,
                scheduled=scheduled,
                can_cancel={r.id for r in scheduled if who.can(MANAGE_PEOPLE, r.site_id)},
                size=PAGE_SIZE, can_send=who.can(MANAGE_PEOPLE),
                f={"site": site_id, "sender": sender, "since": since, "until": until,
                   "status": status, "q": q})


def _report(request: Request, who: Principal, message_id: str,
            limit: int | None = None) -> dict[str, Any]:
    who.require(READ)
    with db_of(request).read() as conn:
        message = broadcast_reads.broadcast(conn, message_id)
        if message is None or not who.can(READ, message.sender_site):
            raise Denied(404)
        counts = broadcast_reads.counts(conn, message_id)
        missing = broadcast_reads.missing(conn, message_id, message.created_at, limit)
    return {"message": message, "counts": counts, "missing": missing}


@router.get("/broadcasts/{message_id}")
def report(request: Request, who: Viewer, message_id: str,
           every_name: Annotated[str, Query(alias="all")] = "") -> Response:
    found = _report(request, who, message_id, None if every_name else REPORT_NAMES)
    return page(request, who, "broadcasts/report.html",
                can_remind=who.can(MANAGE_PEOPLE, found["message"].sender_site), **found)


@router.get("/broadcasts/{message_id}/missing.csv")
def report_csv(request: Request, who: Viewer, message_id: str) -> Response:
    found = _report(request, who, message_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("employee", "site", "delivered_utc", "read_utc", "acknowledged_utc",
                     "last_punch_on_site_since_sent", "timezone"))
    for row in found["missing"]:
        local = row.last_punch.astimezone(zone(row.timezone)) \
            if row.last_punch else None
        writer.writerow((safe(row.name), safe(row.site), _utc(row.delivered_at),
                         _utc(row.read_at), _utc(row.acked_at),
                         local.strftime("%Y-%m-%d %H:%M") if local else "", row.timezone))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="broadcast-{message_id[:8]}.csv"'})


def _utc(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


@router.post("/broadcasts/{message_id}/remind")
def remind(request: Request, message_id: str, sent: Sent) -> Response:
    sent.who.require(MANAGE_PEOPLE)
    with db_of(request).write() as conn:
        message = broadcast_reads.broadcast(conn, message_id)
        if message is None or not sent.who.can(MANAGE_PEOPLE, message.sender_site):
            raise Denied(404)
        broadcasts.remind(conn, actor_of(sent.who), message_id)
    return back(f"{web.PREFIX}/broadcasts/{message_id}", "reminded")


@router.post("/broadcasts/scheduled/{schedule_id}/cancel")
def cancel(request: Request, schedule_id: int, sent: Sent) -> Response:
    """Before it goes; one already sent (or cancelled) is left as it is."""
    sent.who.require(MANAGE_PEOPLE)
    with db_of(request).write() as conn:
        row = scheduled_broadcasts.get(conn, schedule_id)
        if row is None or not sent.who.can(MANAGE_PEOPLE, row.site_id):
            raise Denied(404)
        done = scheduled_broadcasts.cancel(conn, actor_of(sent.who), schedule_id)
    return back(f"{web.PREFIX}/broadcasts", "cancelled" if done else "already_sent")
