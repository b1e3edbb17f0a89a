"""The terminal's state report (POST /v1/status), for site IT's fleet page.

Sent by the sync worker's push thread at start and then as often as the server asks
(``next_report_s``, 5 minutes; kept between 1 minute and 1 hour): app version, outbox
depth and its oldest item's age, clock offset, reader state and counts, pulled changes
set aside, free disk, the program's uptime. Figures only: never a badge id, a name, a
message or a token. A report that fails is tried again later and never holds back a
push; a revoked or unknown terminal is raised, for the worker to stop.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from kiosk import __version__
from kiosk.sync.errors import NotEnrolled, SyncError, TerminalRevoked
from kiosk.sync.status import SyncStatus

log = logging.getLogger(__name__)

EVERY_S = 300.0
MIN_EVERY_S, MAX_EVERY_S = 60.0, 3600.0
RETRY_S = 300.0  # after a failure (server unreachable, a server without the endpoint)


@dataclass(frozen=True)
class ReaderFigures:
    """The badge reader's state (a ``badge_reader.ReaderState`` value, or ``none``) and
    its counts since the terminal started."""

    state: str = "none"
    accepted: int = 0
    repeats: int = 0
    rejected: int = 0


class Reporter(Protocol):
    def report_state(self, report: dict[str, Any]) -> float: ...


def _outbox(conn: sqlite3.Connection, now: datetime) -> dict[str, Any]:
    depth, oldest = conn.execute(
        "SELECT count(*), min(created_at) FROM outbox WHERE state = 'queued'").fetchone()
    rejected = conn.execute("SELECT count(*) FROM outbox WHERE state = 'rejected'").fetchone()[0]
    age = None
    if depth and oldest:
        moment = datetime.fromisoformat(oldest)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # stored as UTC
        age = max(0.0, (now - moment).total_seconds())
    return {"depth": depth, "oldest_age_s": age, "rejected": rejected}


def _quarantined(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("SELECT count(*) FROM pull_quarantine").fetchone()[0]
    except sqlite3.OperationalError:  # a database older than the table
        return 0


def build_report(conn: sqlite3.Connection, data_dir: Path, status: SyncStatus,
                 reader: ReaderFigures | None, uptime_s: float,
                 now: datetime | None = None) -> dict[str, Any]:
    """The report as the protocol's ``StatusReport`` has it (docs/sync-protocol.md)."""
    now = now or datetime.now(UTC)
    reader = reader or ReaderFigures()
    try:
        disk = shutil.disk_usage(data_dir)
        free, total = disk.free, disk.total or None
    except OSError:
        free, total = 0, None
    return {
        "app_version": __version__, "sent_at": now.isoformat(),
        "outbox": _outbox(conn, now), "clock_offset_s": status.clock_offset_s,
        "reader": {"state": reader.state, "accepted": reader.accepted,
                   "repeats": reader.repeats, "rejected": reader.rejected},
        "quarantined": _quarantined(conn), "disk_free_bytes": free,
        "disk_total_bytes": total, "uptime_s": int(max(0.0, uptime_s)),
    }


class StateReports:
    """When the next report is due, and sending it (from the push thread only)."""

    def __init__(self, data_dir: Path,
                 reader: Callable[[], ReaderFigures | None] = lambda: None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._data_dir = Path(data_dir)
        self._reader = reader
        self._clock = clock
        self._started = clock()
        self._next = self._started  # at start
        self._failure_logged = False
        self.sent = 0

    def due(self) -> bool:
        return self._clock() >= self._next

    def send(self, client: Reporter, conn: sqlite3.Connection, status: SyncStatus) -> bool:
        """Send a report now; True once the server took it."""
        now = self._clock()
        try:
            reader = self._reader()
        except Exception:  # noqa: BLE001 - a report without the reader beats none
            reader = None
        report = build_report(conn, self._data_dir, status, reader, now - self._started)
        try:
            every = client.report_state(report)
        except (TerminalRevoked, NotEnrolled):
            raise
        except SyncError as exc:
            self._next = now + RETRY_S
            if not self._failure_logged:  # once, not every 5 minutes for days
                log.warning("state report not taken (%s); trying again every %.0f s",
                            getattr(exc, "code", None) or type(exc).__name__, RETRY_S)
                self._failure_logged = True
            return False
        self._failure_logged = False
        self._next = now + min(MAX_EVERY_S, max(MIN_EVERY_S, every))
        self.sent += 1
        return True
