"""Punches: clock-in/out events as the terminal saw them, plus server receive time.

A punch is never deleted; an undo is stored as a void on the punch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from contract import error_codes as errors
from server.db.schema import punches, terminals
from server.db.types import utcnow
from server.protocol.push import PunchPayload
from server.repo import Refused


def punch_row(punch_id: str, terminal_id: int, p: PunchPayload) -> dict[str, Any]:
    """The ``punches`` row of a punch item."""
    return {"id": punch_id, "employee_id": p.employee_id, "terminal_id": terminal_id,
            "direction": p.direction, "wall_time": p.wall_time.isoformat(),
            "wall_time_utc": p.wall_time, "monotonic_ns": p.monotonic_ns,
            "boot_id": p.boot_id, "received_at": utcnow(), "voided_at": None,
            "void_item_id": None, "void_reason": None}


def void(conn: Connection, punch_id: str, void_item_id: str, reason: str | None,
         terminal_id: int) -> None:
    """Void a punch that ``terminal_id`` made (another terminal's punch is unknown to it)."""
    row = conn.execute(select(punches.c.voided_at, punches.c.terminal_id)
                       .where(punches.c.id == punch_id)).first()
    if row is None or row.terminal_id != terminal_id:
        raise Refused(errors.UNKNOWN_PUNCH, f"no accepted punch with id {punch_id}",
                      punch_id=punch_id)
    if row.voided_at is not None:
        raise Refused(errors.PUNCH_ALREADY_VOIDED, f"punch {punch_id} is already void",
                      punch_id=punch_id)
    conn.execute(update(punches).where(punches.c.id == punch_id).values(
        voided_at=utcnow(), void_item_id=void_item_id, void_reason=reason))


def list_punches(conn: Connection, employee_id: int | None = None, site_id: int | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 limit: int = 1000) -> list[Row[Any]]:
    """Punches by device wall time (UTC), oldest first, with the terminal's site."""
    query = (select(punches, terminals.c.site_id)
             .join(terminals, terminals.c.id == punches.c.terminal_id)
             .order_by(punches.c.wall_time_utc, punches.c.received_at).limit(limit))
    if employee_id is not None:
        query = query.where(punches.c.employee_id == employee_id)
    if site_id is not None:
        query = query.where(terminals.c.site_id == site_id)
    if since is not None:
        query = query.where(punches.c.wall_time_utc >= since)
    if until is not None:
        query = query.where(punches.c.wall_time_utc < until)
    return list(conn.execute(query))
