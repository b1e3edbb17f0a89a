"""What the admin screen and ``kiosk doctor`` both tell: outbox, enrollment, sync, reader, versions.

Plain functions on plain values, no Kivy: the running terminal gathers an
``AdminReport`` on its core worker every couple of seconds while the admin
screen shows; ``kiosk doctor`` calls the same functions on a read-only
database connection.  Nothing here returns the enrollment token.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import platform
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from badge_reader.frames import FrameSnapshot
from kiosk import __version__
from kiosk.storage import sqlite as sqlite_errors
from kiosk.sync.credentials import load_enrollment
from kiosk.sync.status import SyncState, SyncStatus

if TYPE_CHECKING:
    from badge_reader.runner import BaseReaderThread
    from kiosk.settings.config import Config


# Outbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxStats:
    depth: int  # items not yet on the server
    oldest_age_s: float | None  # age of the oldest of them; None when empty
    rejected: int  # refused by the server for good (kept, never resent)
    last_rejection: str = ""  # the server's words for the latest refusal


def outbox_stats(conn: sqlite3.Connection, now: datetime | None = None) -> OutboxStats:
    """Read-only queries on the terminal's database (a ``mode=ro`` connection is fine)."""
    depth, oldest = conn.execute(
        "SELECT count(*), min(created_at) FROM outbox WHERE state = 'queued'").fetchone()
    rejected = conn.execute("SELECT count(*) FROM outbox WHERE state = 'rejected'").fetchone()[0]
    age = None
    if oldest:
        moment = datetime.fromisoformat(oldest)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # stored as UTC
        age = max(0.0, ((now or datetime.now(UTC)) - moment).total_seconds())
    last = ""
    if rejected:
        row = conn.execute("SELECT error FROM outbox WHERE state = 'rejected' "
                           "ORDER BY seq DESC LIMIT 1").fetchone()
        try:
            last = str(json.loads(row[0] or "{}").get("message", ""))
        except (ValueError, AttributeError):
            last = ""
    return OutboxStats(depth, age, rejected, last)


def quarantined_count(conn: sqlite3.Connection) -> int:
    """Pulled changes this terminal could not apply and set aside (``kiosk.sync.apply``);
    0 on a database older than their table."""
    try:
        return conn.execute("SELECT count(*) FROM pull_quarantine").fetchone()[0]
    except sqlite_errors.OperationalError:  # no such table: a schema not migrated yet
        return 0


# An age's unit templates, by unit: English for the logs and doctor; the admin screen
# passes its translated ones.
AGE_UNITS = {"s": "{n} s", "min": "{n} min", "h": "{n} h", "d": "{n} d"}


def format_age(seconds: float, units: Mapping[str, str] = AGE_UNITS) -> str:
    """'45 s', '12 min', '2.0 h', '3.5 d': short, in the units a person thinks in."""
    if seconds < 90:
        return units["s"].format(n=f"{seconds:.0f}")
    if seconds < 90 * 60:
        return units["min"].format(n=f"{seconds / 60:.0f}")
    if seconds < 48 * 3600:
        return units["h"].format(n=f"{seconds / 3600:.1f}")
    return units["d"].format(n=f"{seconds / 86400:.1f}")


# Enrollment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrollmentInfo:
    """The enrollment as site IT may see it: never the token, only whether there is one."""

    enrolled: bool
    server_url: str = ""
    site_name: str = ""
    terminal_id: int | None = None
    token_present: bool = False
    problem: str = ""  # the file exists but cannot be used


def enrollment_info(data_dir: Path) -> EnrollmentInfo:
    try:
        enrollment = load_enrollment(data_dir)
    except (ValueError, OSError) as exc:
        return EnrollmentInfo(False, problem=str(exc) if isinstance(exc, ValueError)
                              else f"enrollment file unreadable ({type(exc).__name__})")
    if enrollment is None:
        return EnrollmentInfo(False)
    site = enrollment.site or {}
    return EnrollmentInfo(True, enrollment.server_url, str(site.get("name", site.get("id", ""))),
                          enrollment.terminal_id, bool(enrollment.token))


# Sync ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncSnapshot:
    status: SyncStatus | None  # the latest, None before the sync reported anything
    last_success: float | None = None  # time.time() of the last exchange that worked
    last_error: str = ""
    last_error_at: float | None = None


_ERROR_STATES = {SyncState.OFFLINE, SyncState.REVOKED, SyncState.NOT_ENROLLED,
                 SyncState.INCOMPATIBLE}


class SyncHistory:
    """Remembers when the sync last worked and its last error; fed from the sync thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot = SyncSnapshot(None)

    def record(self, status: SyncStatus, at: float | None = None) -> None:
        at = time.time() if at is None else at
        with self._lock:
            old = self._snapshot
            success = at if status.state is SyncState.ONLINE else old.last_success
            error, error_at = old.last_error, old.last_error_at
            if status.state in _ERROR_STATES and status.message:
                error, error_at = status.message, at
            self._snapshot = SyncSnapshot(status, success, error, error_at)

    def snapshot(self) -> SyncSnapshot:
        with self._lock:
            return self._snapshot


# Versions -----------------------------------------------------------------------------


def package_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


@functools.cache
def software_versions() -> tuple[tuple[str, str], ...]:
    """(name, version) pairs, Kivy's from package metadata (importing it opens a window).
    Kept once read: looking up package metadata scans the whole path, and nothing here
    changes while the terminal runs."""
    return (
        ("kiosk", __version__),
        ("Python", platform.python_version()),
        ("Kivy", package_version("Kivy") or "absent"),
        ("pyserial", package_version("pyserial") or "absent"),
        ("SQLite", sqlite3.sqlite_version),
        ("OS", f"{os_name()} {platform.machine()} (Linux {platform.release()})"),
    )


# The admin screen's report --------------------------------------------------------------


@dataclass(frozen=True)
class ReaderInfo:
    protocol: str
    source: str  # port or input device
    baud: int | None
    state: str  # a ReaderState value, "" before the reader reported
    message: str
    frames: FrameSnapshot = field(default_factory=FrameSnapshot)


@dataclass(frozen=True)
class AdminReport:
    taken_at: float  # time.time()
    terminal_name: str
    site_name: str
    data_dir: str
    reader: ReaderInfo
    server_url: str
    sync: SyncSnapshot
    outbox: OutboxStats | None  # None: the database could not be read (``storage_error``)
    storage_error: str  # "" when the database is fine; else what is wrong and the fix
    enrollment: EnrollmentInfo
    versions: tuple[tuple[str, str], ...]
    clock_warning_s: float = 60.0  # an offset beyond this is worth a warning
    quarantined: int = 0  # pulled changes set aside, unusable here (kiosk.sync.apply)


def reader_info(config: Config, reader: BaseReaderThread | None) -> ReaderInfo:
    protocol = str(config["reader.protocol"])
    if reader is None:
        return ReaderInfo(protocol, str(config["reader.port"]), None, "error",
                          "reader not started")
    status = reader.status
    baud = getattr(reader, "baudrate", None)
    if protocol == "virtual":  # a pty that speaks a real reader's frames
        protocol = f"virtual ({reader.protocol_name})"
    return ReaderInfo(protocol, reader.source, baud, status.state.value if status else "",
                      status.message if status else "", reader.frames.snapshot())


def gather_report(config: Config, reader: BaseReaderThread | None, sync: SyncHistory,
                  conn: sqlite3.Connection | None, storage_error: str = "") -> AdminReport:
    """Everything the admin screen shows; ``conn`` None when the database is unusable.
    Reads a file or two: run it on a worker thread, never the UI thread."""
    outbox = None
    quarantined = 0
    if conn is not None:
        try:
            outbox = outbox_stats(conn)
            quarantined = quarantined_count(conn)
        except sqlite_errors.Error as exc:
            storage_error = storage_error or f"outbox unreadable ({exc})"
    server_url = str(config["server.url"])
    enrollment = enrollment_info(config.data_dir)
    return AdminReport(
        taken_at=time.time(), terminal_name=str(config["terminal.name"]),
        site_name=str(config["terminal.site_name"]), data_dir=str(config.data_dir),
        reader=reader_info(config, reader), server_url=server_url or enrollment.server_url,
        sync=sync.snapshot(), outbox=outbox, storage_error=storage_error,
        enrollment=enrollment, versions=software_versions(),
        clock_warning_s=float(config["server.clock_warning_s"]), quarantined=quarantined,
    )


def describe_frame_counts(frames: FrameSnapshot) -> str:
    """'3 accepted, 12 repeats, 2 rejected (bad-checksum 2)' for reports."""
    text = f"{frames.accepted} accepted, {frames.repeats} repeats, {frames.rejected_total} rejected"
    if frames.rejected:
        text += " (" + ", ".join(f"{r} {n}" for r, n in sorted(frames.rejected.items())) + ")"
    return text
