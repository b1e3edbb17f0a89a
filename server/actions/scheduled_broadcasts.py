"""Broadcasts scheduled for later (for example 05:45, before the morning shift): kept
in ``scheduled_broadcasts`` and sent by a periodic job of the leader process (one of
all those serving the database, ``server.leader``), so each goes exactly once. Until
then nothing reaches a terminal, and HR may cancel it. Audit entries name targets and
times, never the text."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from server.actions import broadcasts
from server.db import Database
from server.db.schema import employees, scheduled_broadcasts, sites
from server.db.types import utcnow
from server.repo import Refused, directory
from server.repo.audit import Actor, record

log = logging.getLogger("server.scheduled_broadcasts")

SEND_DUE_INTERVAL_S = 20.0
BATCH = 50  # due broadcasts sent per transaction


@dataclass(frozen=True)
class Plan:
    """What to send: the composer's draft, resolved to ids."""

    body: str
    site_ids: Sequence[int] = ()
    group_ids: Sequence[int] = ()
    employee_ids: Sequence[int] = ()
    ack_required: bool = False
    reply_allowed: bool = True
    expires_hours: int | None = None
    photo: bytes | None = None


def schedule(conn: Connection, actor: Actor, sender_id: int, plan: Plan,
             send_at: datetime) -> int:
    """Keep ``plan`` to be sent at ``send_at`` (UTC); returns the schedule's id."""
    site_id = directory.get_employee(conn, sender_id).site_id
    targets = {"sites": sorted(plan.site_ids), "groups": sorted(plan.group_ids),
               "people": sorted(plan.employee_ids)}
    schedule_id = conn.execute(insert(scheduled_broadcasts).values(
        send_at=send_at, sender_id=sender_id, site_id=site_id, actor=actor.label,
        account_id=actor.account_id, body=plan.body, targets=json.dumps(targets),
        ack_required=plan.ack_required, reply_allowed=plan.reply_allowed,
        expires_hours=plan.expires_hours, photo=plan.photo, status="scheduled",
        created_at=utcnow())).inserted_primary_key[0]
    record(conn, actor, "broadcast.schedule", "scheduled_broadcast", schedule_id, {}, {
        **targets, "send_at": send_at, "ack_required": plan.ack_required,
        "reply_allowed": plan.reply_allowed, "expires_hours": plan.expires_hours,
        "photo": plan.photo is not None}, site_id)
    return int(schedule_id)


def get(conn: Connection, schedule_id: int) -> Row[Any] | None:
    return conn.execute(select(scheduled_broadcasts).where(
        scheduled_broadcasts.c.id == schedule_id)).first()


def pending(conn: Connection, scope: set[int] | None) -> list[Row[Any]]:
    """Those still to be sent, soonest first, with their sender's name and site."""
    s = scheduled_broadcasts.c
    query = (select(s.id, s.send_at, s.body, s.ack_required, s.site_id, s.photo.is_not(None)
                    .label("has_photo"), employees.c.name.label("sender"),
                    sites.c.name.label("site"), sites.c.timezone)
             .join(employees, employees.c.id == s.sender_id)
             .join(sites, sites.c.id == s.site_id)
             .where(s.status == "scheduled").order_by(s.send_at, s.id))
    if scope is not None:
        query = query.where(s.site_id.in_(sorted(scope)))
    return list(conn.execute(query))


def cancel(conn: Connection, actor: Actor, schedule_id: int) -> bool:
    """Cancel it unless it has gone already (the guard is part of the update, so a
    cancel racing the job's send is one or the other). False: nothing to cancel."""
    done = conn.execute(update(scheduled_broadcasts).where(
        scheduled_broadcasts.c.id == schedule_id,
        scheduled_broadcasts.c.status == "scheduled").values(status="cancelled")).rowcount
    if done:
        row = get(conn, schedule_id)
        assert row is not None
        record(conn, actor, "broadcast.cancel", "scheduled_broadcast", schedule_id,
               {"status": "scheduled"}, {"status": "cancelled"}, row.site_id)
    return bool(done)


def _send_one(conn: Connection, row: Row[Any], now: datetime) -> str | None:
    # Claim it first: "still scheduled" is part of the update, so of two senders (or a
    # sender and a cancel) on PostgreSQL only one changes the row.
    claimed = conn.execute(update(scheduled_broadcasts).where(
        scheduled_broadcasts.c.id == row.id,
        scheduled_broadcasts.c.status == "scheduled").values(status="sent")).rowcount
    if not claimed:
        return None
    targets = json.loads(row.targets)
    expires = now + timedelta(hours=row.expires_hours) if row.expires_hours else None
    actor = Actor(row.actor, row.account_id)
    try:
        with conn.begin_nested():
            message_id = broadcasts.send(
                conn, actor, row.sender_id, row.body, site_ids=targets["sites"],
                group_ids=targets["groups"], employee_ids=targets["people"],
                ack_required=row.ack_required, reply_allowed=row.reply_allowed,
                expires_at=expires, photo=row.photo)
    except Refused as exc:  # nobody active any more, or the sender left
        conn.execute(update(scheduled_broadcasts).where(
            scheduled_broadcasts.c.id == row.id).values(status="failed"))
        record(conn, actor, "broadcast.schedule_failed", "scheduled_broadcast", row.id,
               {"status": "scheduled"}, {"status": "failed", "reason": exc.code},
               row.site_id)
        return None
    conn.execute(update(scheduled_broadcasts).where(
        scheduled_broadcasts.c.id == row.id).values(message_id=message_id, photo=None))
    return message_id


def send_due(db: Database, now: datetime | None = None) -> list[str]:
    """Send every scheduled broadcast whose time has come; returns the new messages'
    ids. Each is sent in the same transaction that marks it sent: exactly once."""
    sent: list[str] = []
    while True:
        at = now or utcnow()
        with db.write() as conn:
            rows = list(conn.execute(
                select(scheduled_broadcasts).where(
                    scheduled_broadcasts.c.status == "scheduled",
                    scheduled_broadcasts.c.send_at <= at)
                .order_by(scheduled_broadcasts.c.send_at, scheduled_broadcasts.c.id)
                .limit(BATCH)))
            sent += [m for m in (_send_one(conn, row, at) for row in rows) if m]
        if len(rows) < BATCH:
            break
    if sent:
        log.info("sent %d scheduled broadcasts", len(sent))
    return sent


async def send_due_periodically(db: Database,
                                interval: float = SEND_DUE_INTERVAL_S) -> None:
    """Send what is due every ``interval`` seconds (also once at start), until
    cancelled. Run by the leader only (``server.app``'s periodic jobs)."""
    while True:
        try:
            await asyncio.to_thread(send_due, db)
        except Exception:
            log.exception("sending scheduled broadcasts failed; retrying later")
        await asyncio.sleep(interval)
