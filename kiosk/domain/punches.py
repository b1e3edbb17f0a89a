"""Clock-in/out records: each punch and its outbox row are written in one transaction."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import sqlite_utils

from kiosk.domain import clock
from kiosk.domain.models import Direction, Punch
from kiosk.storage import transaction
from kiosk.storage.outbox import Outbox, new_item_id


def _punch(row: tuple) -> Punch:
    return Punch(
        id=row[0], employee_id=row[1], direction=Direction(row[2]),
        wall_time=datetime.fromisoformat(row[3]), monotonic_ns=row[4], boot_id=row[5],
    )


_COLUMNS = "id, employee_id, direction, wall_time, monotonic_ns, boot_id"


class PunchBook:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        self._outbox = Outbox(db)

    def last_punch(self, employee_id: int) -> Punch | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM punches WHERE employee_id = ? AND voided = 0 "
            "ORDER BY rowid DESC LIMIT 1",
            (employee_id,),
        ).fetchone()
        return _punch(row) if row else None

    def next_direction(self, employee_id: int) -> Direction:
        """IN unless the worker's last known punch is an IN."""
        last = self.last_punch(employee_id)
        return Direction.OUT if last and last.direction is Direction.IN else Direction.IN

    def record(self, employee_id: int, direction: Direction | None = None) -> Punch:
        """Record a punch now; committed (with its outbox row) when this returns."""
        with transaction(self._db) as conn:
            if direction is None:
                direction = self.next_direction(employee_id)
            return self._insert(conn, employee_id, direction)

    def void(self, punch_id: str) -> None:
        """Cancel a punch the worker undid: kept and marked, and the void is synced."""
        with transaction(self._db) as conn:
            self._void(conn, punch_id)

    def switch(self, punch_id: str) -> Punch:
        """Replace a punch by one of the other direction, atomically."""
        with transaction(self._db) as conn:
            old = self._void(conn, punch_id)
            return self._insert(conn, old.employee_id, old.direction.flipped())

    def _void(self, conn: sqlite3.Connection, punch_id: str) -> Punch:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM punches WHERE id = ? AND voided = 0", (punch_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no active punch {punch_id}")
        conn.execute("UPDATE punches SET voided = 1 WHERE id = ?", (punch_id,))
        self._outbox.enqueue(conn, "punch_void", {"punch_id": punch_id})
        return _punch(row)

    def _insert(self, conn: sqlite3.Connection, employee_id: int, direction: Direction) -> Punch:
        punch = Punch(
            id=new_item_id(), employee_id=employee_id, direction=direction,
            wall_time=clock.wall_now(), monotonic_ns=clock.monotonic_ns(),
            boot_id=clock.boot_id(),
        )
        conn.execute(
            f"INSERT INTO punches ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (punch.id, punch.employee_id, punch.direction.value, punch.wall_time.isoformat(),
             punch.monotonic_ns, punch.boot_id),
        )
        self._outbox.enqueue(
            conn, "punch",
            {"employee_id": employee_id, "direction": direction.value,
             "wall_time": punch.wall_time.isoformat(), "monotonic_ns": punch.monotonic_ns,
             "boot_id": punch.boot_id},
            item_id=punch.id,
        )
        return punch
