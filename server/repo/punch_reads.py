"""Punches as the console reads them: filtered by site, people and a day range in each
site's time zone, one page at a time or streamed row by row (the CSV export), and one
person's punches for a timesheet. Read-only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import String, and_, false, func, or_, select, type_coerce
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from server.db.schema import employees, punches, sites, terminals
from server.db.types import fold

STREAM_BATCH = 2000
RAW_BATCH = 5000


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def day_bounds(day: date, timezone: str) -> datetime:
    """The UTC instant at which ``day`` starts in ``timezone``."""
    return datetime.combine(day, time(), zone(timezone)).astimezone(UTC)


@dataclass(frozen=True)
class PunchFilters:
    """``sites``: id -> time zone of every site to include (the caller's scope, or the
    one site asked for); ``since``/``until``: local days, both included."""

    sites: dict[int, str]
    name: str = ""
    employee_id: int | None = None
    since: date | None = None
    until: date | None = None


def _where(f: PunchFilters) -> ColumnElement[bool]:
    if not f.sites:
        return false()
    per_site = []
    for site_id, timezone in f.sites.items():
        parts = [terminals.c.site_id == site_id]
        if f.since is not None:
            parts.append(punches.c.wall_time_utc >= day_bounds(f.since, timezone))
        if f.until is not None:
            parts.append(punches.c.wall_time_utc
                         < day_bounds(f.until + timedelta(days=1), timezone))
        per_site.append(and_(*parts))
    where = [or_(*per_site)]
    if f.employee_id is not None:
        where.append(punches.c.employee_id == f.employee_id)
    if f.name.strip():
        folded = (fold(f.name.strip()) or "").replace("\\", "\\\\").replace(
            "%", "\\%").replace("_", "\\_")
        where.append(employees.c.search_name.like(f"%{folded}%", escape="\\"))
    return and_(*where)


def _select() -> Any:
    return (select(punches.c.id, punches.c.employee_id, punches.c.direction,
                   punches.c.wall_time_utc, punches.c.received_at, punches.c.voided_at,
                   punches.c.void_reason, employees.c.name.label("employee"),
                   terminals.c.name.label("terminal"), terminals.c.site_id,
                   sites.c.name.label("site"), sites.c.timezone)
            .join(terminals, terminals.c.id == punches.c.terminal_id)
            .join(employees, employees.c.id == punches.c.employee_id)
            .join(sites, sites.c.id == terminals.c.site_id))


def page(conn: Connection, f: PunchFilters, limit: int = 100,
         offset: int = 0) -> tuple[list[Row[Any]], int]:
    """One page, newest first, and how many match."""
    rows = conn.execute(_select().where(_where(f))
                        .order_by(punches.c.wall_time_utc.desc(), punches.c.id)
                        .limit(limit).offset(offset))
    total = conn.execute(select(func.count()).select_from(
        punches.join(terminals, terminals.c.id == punches.c.terminal_id)
        .join(employees, employees.c.id == punches.c.employee_id)).where(_where(f)))
    return list(rows), int(total.scalar_one())


def stream(conn: Connection, f: PunchFilters) -> Iterator[Row[Any]]:
    """Every matching punch, oldest first, fetched in batches (a server-side cursor on
    PostgreSQL): memory stays flat whatever the count."""
    result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(
        _select().where(_where(f)).order_by(punches.c.wall_time_utc, punches.c.id))
    yield from result


def stream_raw(conn: Connection, f: PunchFilters) -> Iterator[list[Any]]:
    """Every matching punch, oldest first, in batches of plain tuples for the CSV:
    (employee, employee_id, site, terminal, direction, timezone, wall_time_utc,
    received_at, voided_at, void_reason). Times come as the driver returns them (no
    type processing: a few microseconds a row saved on a million rows); see
    ``punch_csv.naive_utc``. A server-side cursor on PostgreSQL."""
    raw = [type_coerce(column, String) for column in (
        punches.c.wall_time_utc, punches.c.received_at, punches.c.voided_at)]
    query = (select(employees.c.name, punches.c.employee_id, sites.c.name,
                    terminals.c.name, punches.c.direction, sites.c.timezone, *raw,
                    punches.c.void_reason)
             .join_from(punches, terminals, terminals.c.id == punches.c.terminal_id)
             .join(employees, employees.c.id == punches.c.employee_id)
             .join(sites, sites.c.id == terminals.c.site_id)
             .where(_where(f)).order_by(punches.c.wall_time_utc, punches.c.id))
    result = conn.execution_options(stream_results=True, yield_per=RAW_BATCH).execute(query)
    for batch in result.partitions():
        yield list(batch)
