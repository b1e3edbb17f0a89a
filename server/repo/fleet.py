"""The terminal fleet: each terminal's latest state report, and the fleet as site IT
sees it, with the conditions that make a terminal need attention.

The warnings are SQL expressions (``WARNINGS``), used both by the fleet page's query
(one column each) and by the navigation's count, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from server.db.schema import (
    badges,
    changes,
    employee_sites,
    employees,
    messages,
    sites,
    terminal_status,
    terminals,
)

SiteScope = set[int] | None

# When a terminal needs attention (docs/console.md, "Terminal fleet").
OFFLINE_AFTER = timedelta(minutes=5)  # online terminals long-poll every 20 s
OUTBOX_OLD_AFTER = timedelta(hours=1)
CLOCK_OFF_S = 60.0  # the terminal's own warning threshold (server.clock_warning_s)
DISK_LOW_BYTES = 512 * 1024 * 1024
DISK_LOW_SHARE = 0.05  # or under 5 % of the disk, when its size is known
READER_DOWN = ("disconnected", "error")
WARNING_KEYS = ("offline", "outbox_old", "clock_off", "reader_down", "disk_low")


def store_report(conn: Connection, terminal_id: int, report: Mapping[str, Any],
                 received_at: datetime) -> None:
    """Keep ``report`` (a ``StatusReport`` as a dict) as the terminal's latest state."""
    outbox, reader = report["outbox"], report["reader"]
    age = outbox["oldest_age_s"]
    values = {
        "received_at": received_at, "sent_at": report["sent_at"],
        "app_version": report["app_version"], "outbox_depth": outbox["depth"],
        # An age, turned into a moment: it keeps growing while the terminal is silent.
        "outbox_oldest_at": (received_at - timedelta(seconds=age)
                             if age is not None and outbox["depth"] else None),
        "outbox_rejected": outbox["rejected"], "clock_offset_s": report["clock_offset_s"],
        "reader_state": str(reader["state"]), "reader_accepted": reader["accepted"],
        "reader_repeats": reader["repeats"], "reader_rejected": reader["rejected"],
        "quarantined": report["quarantined"], "disk_free_bytes": report["disk_free_bytes"],
        "disk_total_bytes": report["disk_total_bytes"], "uptime_s": report["uptime_s"],
    }
    done = conn.execute(update(terminal_status)
                        .where(terminal_status.c.terminal_id == terminal_id).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(terminal_status).values(terminal_id=terminal_id, **values))


def warnings(now: datetime) -> dict[str, ColumnElement[bool]]:
    """Each reason a live (not revoked) terminal needs attention, as of ``now``."""
    s, t = terminal_status.c, terminals.c
    return {
        "offline": or_(t.last_seen_at.is_(None), t.last_seen_at < now - OFFLINE_AFTER),
        "outbox_old": and_(s.outbox_depth > 0, s.outbox_oldest_at < now - OUTBOX_OLD_AFTER),
        "clock_off": func.abs(s.clock_offset_s) > CLOCK_OFF_S,
        "reader_down": s.reader_state.in_(READER_DOWN),
        "disk_low": or_(s.disk_free_bytes < DISK_LOW_BYTES,
                        and_(s.disk_total_bytes.is_not(None),
                             s.disk_free_bytes < s.disk_total_bytes * DISK_LOW_SHARE)),
    }


def _in_scope(query: Any, scope: SiteScope) -> Any:
    return query if scope is None else query.where(terminals.c.site_id.in_(sorted(scope)))


def _base(now: datetime) -> Any:
    """Terminals with their site, latest report (null columns: never reported) and one
    boolean column per warning."""
    flags = [func.coalesce(cond, False).label(name) for name, cond in warnings(now).items()]
    return (select(terminals.c.id, terminals.c.name, terminals.c.site_id,
                   terminals.c.created_at, terminals.c.revoked_at, terminals.c.last_seen_at,
                   sites.c.name.label("site_name"), sites.c.timezone,
                   *[c for c in terminal_status.c if c.name != "terminal_id"], *flags)
            .select_from(terminals.join(sites, sites.c.id == terminals.c.site_id)
                         .outerjoin(terminal_status,
                                    terminal_status.c.terminal_id == terminals.c.id)))


def fleet(conn: Connection, scope: SiteScope, now: datetime) -> list[Row[Any]]:
    """Every terminal of the sites in ``scope`` (None: all), by site name, then live
    terminals before revoked ones, then terminal name."""
    query = _base(now).order_by(sites.c.name, sites.c.id, terminals.c.revoked_at.is_not(None),
                                terminals.c.name, terminals.c.id)
    return list(conn.execute(_in_scope(query, scope)))


def site_summary(conn: Connection, scope: SiteScope,
                 now: datetime) -> dict[int, tuple[int, int, int]]:
    """Per site with terminals: (live terminals, online, needing attention), counted in
    SQL: the page lists only some sites' terminals but sums up every site."""
    live = terminals.c.revoked_at.is_(None)
    online = and_(live, terminals.c.last_seen_at >= now - OFFLINE_AFTER)
    attention = and_(live, or_(*warnings(now).values()))
    query = (select(terminals.c.site_id,
                    func.sum(case((live, 1), else_=0)), func.sum(case((online, 1), else_=0)),
                    func.sum(case((attention, 1), else_=0)))
             .select_from(terminals.outerjoin(
                 terminal_status, terminal_status.c.terminal_id == terminals.c.id))
             .group_by(terminals.c.site_id))
    return {site: (int(a or 0), int(b or 0), int(c or 0))
            for site, a, b, c in conn.execute(_in_scope(query, scope))}


def attention_count(conn: Connection, scope: SiteScope, now: datetime) -> int:
    """Live terminals needing attention: the navigation's count."""
    query = (select(func.count()).select_from(
        terminals.outerjoin(terminal_status, terminal_status.c.terminal_id == terminals.c.id))
        .where(terminals.c.revoked_at.is_(None)).where(or_(*warnings(now).values())))
    return int(conn.execute(_in_scope(query, scope)).scalar_one())


def get_terminal(conn: Connection, terminal_id: int, now: datetime) -> Row[Any] | None:
    """One terminal as ``fleet`` gives it, or None."""
    return conn.execute(_base(now).where(terminals.c.id == terminal_id)).first()


def rename(conn: Connection, terminal_id: int, name: str) -> None:
    conn.execute(update(terminals).where(terminals.c.id == terminal_id).values(name=name))


@dataclass(frozen=True)
class Held:
    """What a terminal held at its last sync: its site's directory and messages."""

    employees: int
    badges: int
    messages: int
    last_sync: datetime | None


def held_by(conn: Connection, site_id: int, last_sync: datetime | None) -> Held:
    """What a terminal of ``site_id`` may have held at ``last_sync``: the people who work
    at the site (home or other site), their active badges, and the messages announced to
    the site (change log) made before then and not expired by then. Counts, never
    contents; an upper bound where the terminal had not pulled everything yet."""
    works_here = or_(employees.c.site_id == site_id, exists().where(
        employee_sites.c.employee_id == employees.c.id, employee_sites.c.site_id == site_id))
    people = conn.execute(select(func.count()).select_from(employees)
                          .where(employees.c.active.is_(True)).where(works_here)).scalar_one()
    badge_count = conn.execute(
        select(func.count()).select_from(badges.join(employees,
                                                     employees.c.id == badges.c.employee_id))
        .where(badges.c.active.is_(True)).where(employees.c.active.is_(True))
        .where(works_here)).scalar_one()
    announced = exists().where(and_(
        changes.c.entity == "message", changes.c.entity_id == messages.c.id,
        or_(changes.c.site_id == site_id, changes.c.site_id.is_(None))))
    query = select(func.count()).select_from(messages).where(announced)
    if last_sync is not None:
        query = query.where(messages.c.created_at <= last_sync).where(
            or_(messages.c.expires_at.is_(None), messages.c.expires_at > last_sync))
    else:
        query = query.where(False)  # never synced: it holds nothing of the server's
    return Held(int(people), int(badge_count), int(conn.execute(query).scalar_one()),
                last_sync)
