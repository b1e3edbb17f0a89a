"""Punches for the console's tests: a terminal per site and punches with chosen times,
written as the push would store them (the push itself is tested elsewhere)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from server.db import Database
from server.db.schema import punches
from server.repo import terminals


def terminal(db: Database, site_id: int, name: str) -> int:
    with db.write() as conn:
        code, _expires = terminals.create_enrollment_code(conn, site_id, timedelta(hours=1))
        return terminals.redeem_code(conn, code, name)[0]


def punch(db: Database, terminal_id: int, employee_id: int, direction: str, at: datetime,
          received: datetime | None = None, voided: bool = False) -> str:
    """A punch made at ``at`` (UTC), received at ``received`` (default: 10 s later)."""
    punch_id = str(uuid.uuid4())
    at = at.astimezone(UTC)
    with db.write() as conn:
        conn.execute(insert(punches).values(
            id=punch_id, employee_id=employee_id, terminal_id=terminal_id,
            direction=direction, wall_time=at.isoformat(), wall_time_utc=at,
            monotonic_ns=1, boot_id="boot", received_at=received or at + timedelta(seconds=10),
            voided_at=at + timedelta(seconds=20) if voided else None,
            void_reason="mistake" if voided else None))
    return punch_id


def utc(text: str) -> datetime:
    """"2026-12-01 07:00" as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
