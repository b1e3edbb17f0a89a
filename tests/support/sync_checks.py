"""What sync tests look at: the server's punches, the terminal's outbox, and waiting for them.

Shared by the sync test modules (the rig itself, server and sync worker, is in
tests/kiosk/sync/conftest.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select

from kiosk.domain.terminal import Terminal
from kiosk.storage import open_database
from kiosk.sync.status import SyncState, SyncStatus
from server.db import schema

T = TypeVar("T")


def port_of(server: Any) -> int:
    return int(server.url.rsplit(":", 1)[1])


def server_punches(server_db: Any) -> int:
    with server_db.read() as conn:
        return conn.execute(select(func.count()).select_from(schema.punches)).scalar_one()


def server_messages(server_db: Any) -> int:
    with server_db.read() as conn:
        return conn.execute(select(func.count()).select_from(schema.messages)).scalar_one()


def punch_offline(terminal_path: Path, employee_id: int, count: int) -> list[str]:
    """Punches recorded by the real terminal core (no server involved); their ids."""
    term = Terminal.open(terminal_path)
    try:
        return [term.punches.record(employee_id).id for _ in range(count)]
    finally:
        term.close()


def outbox_states(terminal_path: Path) -> dict[str, int]:
    db = open_database(terminal_path)
    try:
        return dict(db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    finally:
        db.conn.close()


def outbox_state_of(terminal_path: Path, item_id: str) -> str:
    db = open_database(terminal_path)
    try:
        return db.execute("SELECT state FROM outbox WHERE id = ?", (item_id,)).fetchone()[0]
    finally:
        db.conn.close()


def drained(status: SyncStatus) -> bool:
    return status.state is SyncState.ONLINE and status.outbox_depth == 0


def wait_until(check: Callable[[], T], timeout: float = 15.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return found
