"""Terminals with state reports, for the console's demo (``console-tour``), its tests and
``bench/fleet_page.py``: each enrolled the way a real one is (a one-time code redeemed),
then given a state report and a last-seen time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection

from server.db.schema import terminals as terminals_table
from server.db.types import utcnow
from server.repo import fleet, terminals

HEALTHY: dict[str, Any] = {
    "app_version": "1.4.0", "outbox": {"depth": 0, "oldest_age_s": None, "rejected": 0},
    "clock_offset_s": 0.4,
    "reader": {"state": "connected", "accepted": 120, "repeats": 4, "rejected": 0},
    "quarantined": 0, "disk_free_bytes": 9 * 2**30, "disk_total_bytes": 16 * 2**30,
    "uptime_s": 3 * 86400,
}


def plant_terminal(conn: Connection, site_id: int, name: str,
                   seen_ago: timedelta | None = timedelta(seconds=30),
                   reported_ago: timedelta | None = timedelta(minutes=2),
                   now: datetime | None = None, **report: Any) -> int:
    """A terminal of ``site_id`` last seen ``seen_ago`` (None: never), whose latest report
    (None: none) is ``HEALTHY`` with ``report``'s keys replaced; returns its id."""
    now = now or utcnow()
    code, _ = terminals.create_enrollment_code(conn, site_id, timedelta(minutes=5))
    terminal_id, _token, _site = terminals.redeem_code(conn, code, name)
    if seen_ago is not None:
        conn.execute(update(terminals_table).where(terminals_table.c.id == terminal_id)
                     .values(last_seen_at=now - seen_ago))
    if reported_ago is not None:
        received = now - reported_ago
        fleet.store_report(conn, terminal_id, {**HEALTHY, "sent_at": received, **report},
                           received)
    return terminal_id


def seed_fleet(conn: Connection, site: int, other_site: int) -> dict[str, int]:
    """A healthy terminal and a stale one (offline for days, outbox a day old, reader
    unplugged) at ``site``; a healthy one and one never seen at ``other_site``."""
    return {
        "gate": plant_terminal(conn, site, "Gate 1"),
        "stale": plant_terminal(
            conn, site, "Canteen", seen_ago=timedelta(days=3), reported_ago=timedelta(days=3),
            outbox={"depth": 42, "oldest_age_s": 86400.0, "rejected": 1},
            reader={"state": "disconnected", "accepted": 3, "repeats": 0, "rejected": 2},
            disk_free_bytes=200 * 2**20, clock_offset_s=-340.0),
        "dock": plant_terminal(conn, other_site, "Dock"),
        "new": plant_terminal(conn, other_site, "Spare", seen_ago=None, reported_ago=None),
    }
