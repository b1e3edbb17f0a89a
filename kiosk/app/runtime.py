"""The running terminal without its screens: config -> core worker -> station -> badge reader.

A front end (the Kivy app, a test) gives a ``StationView`` and a ``deliver``
callable that runs a function on its own thread (in Kivy:
``Clock.schedule_once``).  Everything that comes from another thread (core
results, badge reads, reader status) reaches the front end through ``deliver``,
so the station and the view only ever run on that one thread.

Reader faults never stop the terminal: they become a ``ReaderStatus`` to show.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from badge_reader import ReaderState, ReaderStatus, ReaderThread, VirtualReader
from badge_reader.read import BadgeRead
from badge_reader.runner import BaseReaderThread
from badge_reader.wedge_runner import WedgeReaderThread
from kiosk.app.media_worker import MediaWorker
from kiosk.app.site_follow import SiteSettingsFollower
from kiosk.app.station import Station, StationView
from kiosk.app.worker import CoreWorker, Deliver
from kiosk.doctor.diagnostics import AdminReport, SyncHistory, gather_report
from kiosk.domain.session import SessionPolicy
from kiosk.settings.config import Config
from kiosk.settings.site_settings import SiteSettings
from kiosk.storage import DatabaseDamaged, StorageError
from kiosk.storage import sqlite as sqlite_errors
from kiosk.storage.private import private_folder
from kiosk.sync.state_report import ReaderFigures
from kiosk.sync.status import server_offset

if TYPE_CHECKING:
    from kiosk.domain.terminal import Terminal

log = logging.getLogger(__name__)

VIRTUAL_SOCKET_NAME = "virtual-reader.sock"
# The virtual reader speaks the same EM4100 frames as the most common real module.
VIRTUAL_WIRE_PROTOCOL = "em4100"
# How often expired messages and unused attachments are removed from the disk.
PRUNE_EVERY_S = 600.0
# How soon to look again when pruning had to wait (the server's time not known yet, or
# this terminal's clock too far from it).
PRUNE_RETRY_S = 60.0
STORAGE_OPEN_FALLBACK_S = 2.0


@dataclass(frozen=True)
class StorageStatus:
    ok: bool | None  # None: not known yet
    detail: str = ""
    damaged: bool = False  # SQLite finds the file damaged: site IT must act (detail: how)


class TerminalRuntime:
    """Owns the threads of one running terminal; ``start()`` then ``stop()``, once."""

    def __init__(
        self,
        config: Config,
        view: StationView,
        deliver: Deliver,
        on_reader_status: Callable[[ReaderStatus], None] | None = None,
        on_storage_status: Callable[[StorageStatus], None] | None = None,
        on_settings: Callable[[SiteSettings], None] | None = None,
    ) -> None:
        self.config = config
        self._deliver = deliver
        self._on_reader_status = on_reader_status
        self._on_storage_status = on_storage_status
        self._on_settings = on_settings
        database_path = config.database_path
        base = SiteSettings.from_config(config)
        self.worker = CoreWorker(
            lambda: _open_terminal(database_path, base, self.worker.cache_key,
                                   self.worker.seal_public_key), deliver,
            database_path)
        # Renders a message's picture off the core worker: badge reads never wait on it.
        self.media = MediaWorker(deliver)
        self.station = Station(self.worker, view, _policy(base), media=self.media)
        # The server's site settings, followed while running (kiosk.app.site_follow).
        self.site_settings = SiteSettingsFollower(base, self.worker, deliver,
                                                  self._apply_settings)
        # Fed by the sync's status callback; read by the admin screen's report.
        self.sync_history = SyncHistory()
        self.station.admin.diagnostics = self.admin_report
        self.started = False
        self.virtual_reader: VirtualReader | None = None
        self.reader: BaseReaderThread | None = None
        self._next_prune = 0.0
        self._prune_held = False  # pruning waits for the clock; said once in the log
        self._damage: StorageStatus | None = None  # the database found damaged
        self._pages_sound = False  # PRAGMA quick_check found nothing (see check_storage)
        self._pages_checking = False
        self._storage_pending = False
        self._started_at = 0.0

    @property
    def control_path(self) -> Path:
        """Where the virtual reader listens for ``python -m badge_reader present``."""
        return self.config.data_dir / VIRTUAL_SOCKET_NAME

    # Life cycle -------------------------------------------------------------

    def start(self) -> None:
        self.started = True
        self._started_at = time.monotonic()
        self._start_reader()
        self.worker.start()
        # The database opens (and the storage stack loads, on the worker thread) once the
        # reader has reported in, so the two do not compete for the interpreter while
        # the reader connects; a badge read before then simply opens it on demand.
        self._storage_pending = True

    def _open_storage(self) -> None:
        self._storage_pending = False
        self.check_storage()
        self.prune_expired()
        self.site_settings.check_if_due(time.monotonic())

    def tick(self, now: float | None = None) -> None:
        """Once a second on the front end's thread: the station's tick, and housekeeping
        when due (``now``: ``time.monotonic()``, given by tests)."""
        self.station.tick()
        now = time.monotonic() if now is None else now
        if self._storage_pending and now - self._started_at >= STORAGE_OPEN_FALLBACK_S:
            self._open_storage()  # the reader never reported: open the database anyway
        elif not self._storage_pending:
            self.prune_if_due(now)
            self.site_settings.check_if_due(now)

    def stop(self) -> None:
        if self.reader is not None:
            self.reader.stop()
            self.reader.join(2.0)
        if self.virtual_reader is not None:
            self.virtual_reader.close()
        self.media.stop()
        self.worker.stop()

    def check_storage(self) -> None:
        """Open the database (if not open yet), check its pages once and report.

        The check (``PRAGMA quick_check``) reads the whole file, seconds on an SD card full
        of photos, so it runs on a thread of its own with its own read-only connection:
        the core worker, and so the first badge after boot, never waits for it. Until it
        has answered, storage is not reported and nothing is pruned. A damaged file is
        reported with what site IT should do, and again at each later check without
        reading it all again (it needs site IT and a restart); it is never deleted nor
        recreated here: its outbox may hold punches."""
        if self._damage is not None:
            self._storage(self._damage)
            return

        def opened(_: None) -> None:
            if self._pages_sound:
                self._storage(StorageStatus(True))
            elif not self._pages_checking:
                self._pages_checking = True
                threading.Thread(target=self._check_pages, name="storage-check",
                                 daemon=True).start()

        self.worker.submit(lambda terminal: None, opened,
                           lambda exc: self._storage(_storage_status(exc)))

    def _check_pages(self) -> None:
        """On the storage-check thread: read every page, then tell the core worker (which
        keeps the verdict on its Terminal) and, through it, the front end."""
        from kiosk.storage import integrity_problem  # the storage stack, off the UI thread

        path = self.config.database_path
        try:
            # The terminal's own SQLite (SQLCipher's), never a second library in one
            # process: their POSIX locks would not see each other (kiosk.storage.sqlite).
            conn = sqlite_errors.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                         timeout=5)
            try:
                problem = integrity_problem(conn)
            finally:
                conn.close()
        except sqlite_errors.Error as exc:  # could not read it at all: a storage fault
            self._pages_checking = False  # the next check_storage tries again
            fault = StorageError(f"cannot read the database {path} ({exc})")

            def report(_terminal: Terminal) -> None:  # through the worker: back on the UI
                raise fault                           # thread like every other verdict

            self.worker.submit(report, None, lambda exc: self._storage(_storage_status(exc)))
            return

        def reported(found: str | None) -> None:
            self._pages_checking = False
            if found is None:
                self._pages_sound = True
                self._storage(StorageStatus(True))
            else:
                self._storage(StorageStatus(False, DatabaseDamaged(path, found).report, True))

        self.worker.submit(lambda terminal: terminal.note_integrity(problem), reported,
                           lambda exc: self._storage(_storage_status(exc)))

    def prune_expired(self) -> None:
        """Have the core worker forget expired messages, by the server's time (this
        terminal's clock plus the offset the sync measured); the next run is due in
        ``PRUNE_EVERY_S``.  While that time is not known, or the clock warning is on,
        nothing is pruned (a clock a year ahead would delete every picture); another
        look in ``PRUNE_RETRY_S``.  A failure is logged by the worker and retried."""
        status = self.sync_history.snapshot().status
        offset = server_offset(status, float(self.config["server.clock_warning_s"]))
        if self._damage is not None:  # deleting in a damaged file could lose more
            self._next_prune = time.monotonic() + PRUNE_EVERY_S
            return
        if not self._pages_sound:  # the page check has not answered yet
            self._next_prune = time.monotonic() + PRUNE_RETRY_S
            return
        if offset is None:
            self._next_prune = time.monotonic() + PRUNE_RETRY_S
            if not self._prune_held:
                self._prune_held = True
                log.info("expired messages kept for now: the server's time is not known "
                         "or this terminal's clock is off (clock warning)")
            return
        self._prune_held = False
        self._next_prune = time.monotonic() + PRUNE_EVERY_S
        self.worker.submit(lambda terminal: terminal.prune_expired(
            datetime.now(UTC) + timedelta(seconds=offset)))

    def prune_if_due(self, now: float | None = None) -> None:
        if self.started and (time.monotonic() if now is None else now) >= self._next_prune:
            self.prune_expired()

    def admin_report(self, on_result: Callable[[AdminReport], None]) -> None:
        """Gather the admin screen's report on the core worker (outbox from its database);
        when the database cannot be opened, on a short-lived thread without it."""
        config, history = self.config, self.sync_history
        path = config.database_path

        def damage(terminal: Terminal) -> str:
            problem = terminal.integrity_problem
            return DatabaseDamaged(path, problem).report if problem else ""

        def without_database(exc: Exception) -> None:
            def gather() -> None:
                report = gather_report(config, self.reader, history, None, _storage_detail(exc))
                self._deliver(lambda: on_result(report))

            threading.Thread(target=gather, name="admin-report", daemon=True).start()

        self.worker.submit(
            lambda terminal: gather_report(config, self.reader, history, terminal.db.conn,
                                           damage(terminal)),
            on_result, without_database,
        )

    def _storage(self, status: StorageStatus) -> None:
        if status.damaged:
            self._damage = status
        if self._on_storage_status is not None:
            self._on_storage_status(status)

    @property
    def settings(self) -> SiteSettings:
        """The site settings the terminal runs with now (config, then the server's)."""
        return self.site_settings.current

    def _apply_settings(self, settings: SiteSettings) -> None:
        """New site settings, on the front end's thread: sessions opened from now on get
        the new timeouts (the current one keeps its own), then the front end the rest."""
        self.station.use_policy(_policy(settings))
        if self._on_settings is not None:
            self._on_settings(settings)

    # Reader ---------------------------------------------------------------------

    def reader_figures(self) -> ReaderFigures:
        """The reader's state and counts, for the state report (read from any thread:
        the status is one attribute, the counts a locked copy)."""
        reader = self.reader
        if reader is None:
            return ReaderFigures("error")
        status, frames = reader.status, reader.frames.snapshot()
        return ReaderFigures(status.state.value if status else "connecting", frames.accepted,
                             frames.repeats, frames.rejected_total)

    def _start_reader(self) -> None:
        try:
            self.reader = self._make_reader()
        except (OSError, ValueError) as exc:
            # A socket path in use, an unknown protocol option...: show it, keep running.
            log.error("cannot start the badge reader: %s", type(exc).__name__)
            self._reader_status(ReaderStatus(ReaderState.ERROR, f"Reader not started ({exc})"))
            return
        self.reader.start()

    def _make_reader(self) -> BaseReaderThread:
        config = self.config
        protocol = config["reader.protocol"]
        common = {
            "on_read": self._read_on_reader_thread,
            "on_status": self._status_on_reader_thread,
            "repeat_window": float(config["reader.repeat_window_s"]),
            "reverse_bytes": bool(config["reader.reverse_bytes"]),
        }
        if protocol == "virtual":
            private_folder(config.data_dir)
            self.virtual_reader = VirtualReader(
                str(self.control_path), protocol=VIRTUAL_WIRE_PROTOCOL
            )
            private_folder(config.data_dir)  # the control socket, made with the umask's mode
            return ReaderThread(self.virtual_reader.port, VIRTUAL_WIRE_PROTOCOL, **common)
        if protocol == "wedge":
            return WedgeReaderThread(config["reader.device"], "wedge", **common)
        return ReaderThread(config["reader.port"], protocol, baudrate=config["reader.baud"],
                            **common)

    # Called on the reader thread: hop to the front end's thread, nothing else.

    def _read_on_reader_thread(self, read: BadgeRead) -> None:
        badge = read.badge
        self._deliver(lambda: self.station.on_badge(badge))

    def _status_on_reader_thread(self, status: ReaderStatus) -> None:
        self._deliver(lambda: self._reader_status(status))

    def _reader_status(self, status: ReaderStatus) -> None:
        if self._on_reader_status is not None:
            self._on_reader_status(status)
        if self._storage_pending and status.state is not ReaderState.CONNECTING:
            self._open_storage()


def _open_terminal(database_path: Path, base: SiteSettings, cache_key: bytes | None,
                   seal_public_key: bytes | None = None) -> Terminal:
    """Runs on the core worker thread, which is where the storage stack gets imported.
    The site settings are read at once, so the first badge already follows them."""
    from kiosk.domain.terminal import Terminal

    terminal = Terminal.open(database_path, cache_key, seal_public_key)
    terminal.refresh_settings(base)
    return terminal


def _policy(settings: SiteSettings) -> SessionPolicy:
    return SessionPolicy(timeout_s=float(settings.session_timeout_s),
                         punch_undo_s=float(settings.punch_undo_s))


def _storage_status(exc: Exception) -> StorageStatus:
    return StorageStatus(False, _storage_detail(exc), isinstance(exc, DatabaseDamaged))


def _storage_detail(exc: Exception) -> str:
    if isinstance(exc, DatabaseDamaged):
        return exc.report
    return str(exc) if isinstance(exc, StorageError) else "internal error"
