"""Broadcasts as the console reads them: the list (site, sender, dates, status, text),
and a report per message: counts, and who has not read or acknowledged, each with
their last punch on site since the message was sent. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from server.db.schema import employees, message_recipients, messages, punches, sites, terminals
from server.db.types import fold, utcnow
from server.repo.console_reads import contains


@dataclass(frozen=True)
class BroadcastFilters:
    scope: set[int] | None  # the sender's home site must be one of them (None: any)
    site_id: int | None = None
    sender: str = ""
    since: datetime | None = None
    until: datetime | None = None
    status: str = ""  # "active" (not expired) or "expired"
    text: str = ""


def _is_broadcast() -> list[ColumnElement[bool]]:
    """Messages written from the server (the console or the CLI), never replies."""
    return [messages.c.origin_terminal_id.is_(None), messages.c.reply_to.is_(None),
            messages.c.status == "approved"]


def _where(conn: Connection, f: BroadcastFilters) -> list[ColumnElement[bool]]:
    where = _is_broadcast()
    if f.scope is not None:
        where.append(employees.c.site_id.in_(sorted(f.scope)))
    if f.site_id is not None:
        where.append(employees.c.site_id == f.site_id)
    if f.sender.strip():
        where.append(employees.c.search_name.contains(fold(f.sender.strip()) or "",
                                                      autoescape=True))
    if f.since is not None:
        where.append(messages.c.created_at >= f.since)
    if f.until is not None:
        where.append(messages.c.created_at < f.until)
    now = utcnow()
    if f.status == "active":
        where.append(or_(messages.c.expires_at.is_(None), messages.c.expires_at > now))
    elif f.status == "expired":
        where.append(messages.c.expires_at <= now)
    if f.text.strip():
        where.append(contains(conn, messages.c.body, f.text))
    return where


def _counts() -> list[Any]:
    r = message_recipients.c
    return [func.count().label("total"),
            func.count(r.delivered_at).label("delivered"),
            func.count(r.read_at).label("read"),
            func.count(r.acked_at).label("acked")]


def _missing_count() -> Any:
    """How many have not read or not acknowledged: the length of ``missing``."""
    r = message_recipients.c
    return func.count(case((or_(r.acked_at.is_(None), r.read_at.is_(None)), 1))).label(
        "missing")


def list_broadcasts(conn: Connection, f: BroadcastFilters, limit: int = 50,
                    offset: int = 0) -> tuple[list[Row[Any]], int]:
    """Newest first, with the sender, their site and the recipients' counts."""
    counts = (select(message_recipients.c.message_id, *_counts())
              .group_by(message_recipients.c.message_id).subquery())
    base = (select(messages.c.id, messages.c.body, messages.c.kind, messages.c.created_at,
                   messages.c.expires_at, messages.c.ack_required,
                   employees.c.name.label("sender"), sites.c.name.label("site"),
                   sites.c.timezone, counts.c.total, counts.c.read, counts.c.acked)
            .join(employees, employees.c.id == messages.c.sender_id)
            .join(sites, sites.c.id == employees.c.site_id)
            .join(counts, counts.c.message_id == messages.c.id)
            .where(*_where(conn, f)))
    rows = conn.execute(base.order_by(messages.c.created_at.desc(), messages.c.id)
                        .limit(limit).offset(offset))
    total = conn.execute(select(func.count()).select_from(messages)
                         .join(employees, employees.c.id == messages.c.sender_id)
                         .where(*_where(conn, f))).scalar_one()
    return list(rows), int(total)


def broadcast(conn: Connection, message_id: str) -> Row[Any] | None:
    """The message with its sender's name and home site, if it is a broadcast."""
    return conn.execute(
        select(messages, employees.c.name.label("sender"),
               employees.c.site_id.label("sender_site"), sites.c.timezone)
        .join(employees, employees.c.id == messages.c.sender_id)
        .join(sites, sites.c.id == employees.c.site_id)
        .where(messages.c.id == message_id, *_is_broadcast())).first()


def counts(conn: Connection, message_id: str) -> Row[Any]:
    return conn.execute(select(*_counts(), _missing_count()).where(
        message_recipients.c.message_id == message_id)).one()


def missing(conn: Connection, message_id: str, since: datetime,
            limit: int | None = None) -> list[Row[Any]]:
    """Recipients who have not acknowledged (or not read), by name, each with their last
    punch at their site's terminals since ``since``; the first ``limit`` of them."""
    r = message_recipients.c
    p = punches.alias("p")
    # Per person, their punches newest first on ix_punches_employee_time (migration 8):
    # the first one on their site that is not voided is usually the first row read.
    # (A grouped pass over every recipient's punches since sending reads all of them.)
    last_punch = (select(p.c.wall_time_utc)
                  .join(terminals, terminals.c.id == p.c.terminal_id)
                  .where(p.c.employee_id == r.employee_id, p.c.wall_time_utc >= since,
                         p.c.voided_at.is_(None), terminals.c.site_id == r.site_id)
                  .order_by(p.c.wall_time_utc.desc()).limit(1)
                  .correlate(message_recipients).scalar_subquery())
    query = (select(r.employee_id, r.delivered_at, r.read_at, r.acked_at,
                    employees.c.name, sites.c.name.label("site"), sites.c.timezone,
                    last_punch.label("last_punch"))
             .join(employees, employees.c.id == r.employee_id)
             .join(sites, sites.c.id == r.site_id)
             .where(r.message_id == message_id,
                    or_(r.acked_at.is_(None), r.read_at.is_(None)))
             .order_by(employees.c.search_name, r.employee_id))
    return list(conn.execute(query if limit is None else query.limit(limit)))


def not_acked(conn: Connection, message_id: str) -> list[int]:
    r = message_recipients.c
    return list(conn.scalars(select(r.employee_id).where(
        and_(r.message_id == message_id, r.acked_at.is_(None)))))
