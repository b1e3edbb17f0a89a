"""Punches: the list (site, name, days in each site's time zone), the CSV export
streamed row by row, and a person's day-by-day timesheet. Read-only, any role that
reads a site; only punches made at terminals of the caller's sites."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from server.console.auth.access import READ, Denied, Principal
from server.console.deps import Viewer, db_of
from server.console.frame import page
from server.console.pages import filters
from server.db import Database
from server.db.types import utcnow
from server.repo import directory, punch_reads
from server.services import punch_csv, timesheets

router = APIRouter()
PAGE_SIZE = 100
TIMESHEET_DAYS = 14


def _filters(request: Request, who: Principal, site: str, q: str, since: str,
             until: str) -> tuple[punch_reads.PunchFilters, dict[str, str]]:
    """The filters asked for, within the caller's sites; errors by field."""
    who.require(READ)
    scope = who.sites(READ)
    site_id = int(site) if site.isdigit() else None
    if site_id is not None and scope is not None and site_id not in scope:
        raise Denied(404)  # another site's punches: as if the site did not exist
    with db_of(request).read() as conn:
        zones = {row.id: row.timezone for row in directory.list_sites(conn)
                 if (scope is None or row.id in scope) and site_id in (None, row.id)}
    start, end, errors = filters.day_range(who, since, until)
    return punch_reads.PunchFilters(zones, q.strip()[:100], None, start, end), errors


@router.get("/punches")
def punch_list(request: Request, who: Viewer, site: str = "", q: str = "", since: str = "",
               until: str = "") -> Response:
    f, errors = _filters(request, who, site, q, since, until)
    number_i = filters.page_number(request)
    rows: list[Any] = []
    total = 0
    if not errors:
        with db_of(request).read() as conn:
            rows, total = punch_reads.page(conn, f, PAGE_SIZE, (number_i - 1) * PAGE_SIZE)
    scope = who.sites(READ)
    sites = {k: v for k, v in who.site_names.items() if scope is None or k in scope}
    return page(request, who, "punches/list.html", status=422 if errors else 200,
                rows=[(row, timesheets.punch_flags(row)) for row in rows], total=total,
                sites=sites, errors=errors, page_no=number_i, size=PAGE_SIZE,
                f={"site": int(site) if site.isdigit() else None, "q": q, "since": since,
                   "until": until})


def _csv(db: Database, f: punch_reads.PunchFilters) -> Iterator[bytes]:
    # The read transaction stays open while the response streams, so the file is one
    # consistent snapshot; rows are fetched in batches, never all at once.
    with db.read() as conn:
        yield from punch_csv.lines(punch_reads.stream_raw(conn, f))


@router.get("/punches.csv")
def punch_export(request: Request, who: Viewer, site: str = "", q: str = "",
                 since: str = "", until: str = "") -> Response:
    f, errors = _filters(request, who, site, q, since, until)
    if errors:
        return punch_list(request, who, site, q, since, until)
    name = f"punches-{utcnow():%Y%m%d-%H%M}.csv"
    return StreamingResponse(_csv(db_of(request), f), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/punches/people/{employee_id}")
def timesheet(request: Request, who: Viewer, employee_id: int, since: str = "",
              until: str = "") -> Response:
    who.require(READ)
    scope = who.sites(READ)
    with db_of(request).read() as conn:
        person = directory.get_employee(conn, employee_id)
        works_at = set(directory.sites_of(conn, employee_id))
        if scope is not None and not works_at & scope:
            raise Denied(404)
        home = directory.get_site(conn, person.site_id)
    zone = punch_reads.zone(home.timezone)
    today = utcnow().astimezone(zone).date()
    start = filters.day(since) or today - timedelta(days=TIMESHEET_DAYS - 1)
    end = filters.day(until) or today
    if end < start:
        start, end = end, start
    f, _errors = _filters(request, who, "", "", start.isoformat(), end.isoformat())
    f = punch_reads.PunchFilters(f.sites, "", employee_id, start, end)
    with db_of(request).read() as conn:
        days = timesheets.build(punch_reads.stream(conn, f), zone)
    return page(request, who, "punches/timesheet.html", person=person, home=home, days=days,
                total=timesheets.hours(timesheets.total(days)), hours=timesheets.hours,
                since=start.isoformat(), until=end.isoformat())
