"""The terminal without a screen: core, badge reader and sync (``kiosk run --headless``).

For readers at doors without displays, and for tests.  The main thread plays
the part Kivy's clock plays in the app: it runs what the other threads hand
over, in order, and ticks the session once a second.  Each event is printed as
one JSON line on stdout (employee ids, never names of badges or message text).
"""

from __future__ import annotations

import json
import logging
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from badge_reader import ReaderStatus
from kiosk.app.headless_commands import read_commands
from kiosk.app.runtime import StorageStatus, TerminalRuntime
from kiosk.app.sync_link import start_sync
from kiosk.app.watchdog import notifier
from kiosk.domain.admin import AdminPinState
from kiosk.domain.models import BadgeOutcome
from kiosk.domain.session import Session
from kiosk.settings.config import LANGUAGES, Config
from kiosk.settings.site_settings import SiteSettings
from kiosk.sync.status import SyncStatus

log = logging.getLogger(__name__)


class EventPrinter:
    """A StationView that writes one JSON object per line."""

    def __init__(self, out: TextIO, settings: SiteSettings | None = None) -> None:
        self._out = out
        self.settings = settings or SiteSettings()  # idle language, notice time

    def apply_settings(self, settings: SiteSettings) -> None:
        """The site settings changed while running (never badge ids or the PIN hash)."""
        self.settings = settings
        self.emit("settings", language=settings.language,
                  session_timeout_s=settings.session_timeout_s,
                  punch_undo_s=settings.punch_undo_s, notice_s=settings.notice_s,
                  punch_mode=settings.punch_mode.value, theme=settings.theme,
                  quick_replies={lang: settings.replies_for(lang) for lang in LANGUAGES})

    def emit(self, event: str, **fields: object) -> None:
        self._out.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
        self._out.flush()

    def show_idle(self) -> None:
        self.emit("idle", language=self.settings.language)

    def show_welcome(self, session: Session, outcome: BadgeOutcome) -> None:
        punch = outcome.punch
        self.emit("welcome", employee_id=session.employee.id,
                  direction=punch.direction.value if punch else None,
                  punch_id=punch.id if punch else None, unread=outcome.unread,
                  first_message=outcome.to_acknowledge)

    def show_notice(self, outcome: BadgeOutcome) -> None:
        self.emit("notice", kind=outcome.kind.value, detail=outcome.detail,
                  language=self.settings.language, seconds=self.settings.notice_s)

    def show_punch_changed(self, session: Session) -> None:
        self.emit("punch_changed", employee_id=session.employee.id,
                  direction=session.punch.direction.value if session.punch else None,
                  undone=session.punch_undone)

    def show_admin_pin(self, state: AdminPinState) -> None:
        # No PIN pad without a screen: the event says an admin badge was read, nothing more.
        self.emit("admin_pin", pin_set=state.pin_set, wrong=state.wrong,
                  locked_for_s=round(state.locked_for_s))

    def show_admin(self) -> None:
        self.emit("admin")


def run_headless(config: Config, stop: threading.Event | None = None,
                 out: TextIO = sys.stdout, commands: TextIO | None = None) -> int:
    """Run until SIGINT/SIGTERM (or ``stop`` is set); returns the exit status.
    ``commands``: JSON command lines to run in the open session
    (``kiosk.app.headless_commands``), e.g. standard input."""
    stop = stop or threading.Event()
    calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
    printer = EventPrinter(out, SiteSettings.from_config(config))

    def on_reader(status: ReaderStatus) -> None:
        printer.emit("reader", state=status.state.value, message=status.message)

    def on_storage(status: StorageStatus) -> None:
        printer.emit("storage", ok=status.ok, detail=status.detail)

    def on_sync(status: SyncStatus) -> None:
        runtime.sync_history.record(status)  # thread-safe; pruning reads its clock offset
        calls.put(lambda: printer.emit(
            "sync", state=status.state.value, message=status.message,
            outbox=status.outbox_depth, rejected=status.rejected,
            clock_warning=status.clock_warning(config["server.clock_warning_s"]),
        ))

    runtime = TerminalRuntime(config, printer, calls.put, on_reader, on_storage,
                              on_settings=printer.apply_settings)
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    runtime.start()
    # "pulled": changes from the server applied here (how many, never what).
    sync = start_sync(config, runtime.worker, on_sync,
                      lambda count: calls.put(lambda: printer.emit("pulled", changes=count)),
                      reader_figures=runtime.reader_figures)
    if runtime.virtual_reader is not None:
        printer.emit("virtual_reader", control=str(runtime.control_path))
    if commands is not None:
        read_commands(commands, calls.put, runtime.station, printer)
    notify = notifier()
    notify.ready()
    interval = notify.watchdog_interval_s()
    next_feed = 0.0
    try:
        while not stop.is_set():
            try:
                calls.get(timeout=1.0)()
            except queue.Empty:
                pass
            runtime.tick()
            if interval is not None and time.monotonic() >= next_feed:
                notify.watchdog()
                next_feed = time.monotonic() + interval
    finally:
        notify.stopping()
        if sync is not None:
            sync.stop()
        runtime.stop()
        printer.emit("stopped")
    return 0
