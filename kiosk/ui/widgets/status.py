"""What the idle screen shows in its status bar: reader, storage and server, as levels."""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty

from badge_reader import ReaderState, ReaderStatus
from kiosk.app.runtime import StorageStatus
from kiosk.sync.status import SyncState, SyncStatus
from kiosk.ui.i18n import tr

LEVELS = ("ok", "warn", "error", "unknown")

_READER_LEVEL = {
    ReaderState.CONNECTED: "ok",
    ReaderState.CONNECTING: "warn",
    ReaderState.DISCONNECTED: "error",
    ReaderState.ERROR: "error",
}


def reader_level(state: str) -> str:
    """The level of a reader state ("" before the reader's first report: unknown)."""
    return _READER_LEVEL.get(state, "error") if state else "unknown"


def reader_words(state: str) -> str:
    """What the idle and admin screens say of a reader state, in the current language."""
    return {
        ReaderState.CONNECTED: tr._("Badge reader ready"),
        ReaderState.CONNECTING: tr._("Connecting to the badge reader"),
        "": tr._("Starting the badge reader"),
    }.get(state, tr._("Badge reader not connected"))

_SYNC_LEVEL = {
    SyncState.ONLINE: "ok",
    SyncState.CONNECTING: "warn",
    SyncState.OFFLINE: "warn",
    SyncState.NOT_ENROLLED: "warn",
    SyncState.DISABLED: "unknown",
    SyncState.REVOKED: "error",
    SyncState.INCOMPATIBLE: "error",
}


class TerminalStatus(EventDispatcher):
    """Set on the UI thread only (the runtime delivers statuses there)."""

    reader_state = StringProperty("")  # a ReaderState value, "" before the first report
    reader_level = OptionProperty("unknown", options=LEVELS)
    reader_detail = StringProperty("")  # names the port; never a badge id
    storage_level = OptionProperty("unknown", options=LEVELS)
    storage_detail = StringProperty("")  # what is wrong, and for a damaged file the fix
    storage_damaged = BooleanProperty(False)  # SQLite finds the file damaged: call site IT
    server_level = OptionProperty("unknown", options=LEVELS)
    server_state = StringProperty("")  # a SyncState value, "" before the first report
    server_detail = StringProperty("")
    outbox_depth = NumericProperty(0)  # actions not yet on the server
    clock_warning = BooleanProperty(False)  # the terminal's clock is off the server's
    clock_offset_min = NumericProperty(0)  # server minus terminal, whole minutes
    rejected = NumericProperty(0)  # actions the server refused for good (kept, not retried)

    def set_reader(self, status: ReaderStatus) -> None:
        self.reader_state = status.state.value
        self.reader_level = reader_level(status.state)
        self.reader_detail = status.message

    def set_storage(self, status: StorageStatus) -> None:
        self.storage_level = "unknown" if status.ok is None else "ok" if status.ok else "error"
        self.storage_detail = status.detail
        self.storage_damaged = status.damaged

    def set_storage_ok(self) -> None:
        self.set_storage(StorageStatus(True))

    def set_storage_error(self, detail: str) -> None:
        self.set_storage(StorageStatus(False, detail))

    def set_sync(self, status: SyncStatus, clock_warning_s: float) -> None:
        self.server_state = status.state.value
        self.server_level = _SYNC_LEVEL.get(status.state, "unknown")
        self.server_detail = status.message
        self.outbox_depth = status.outbox_depth
        self.clock_warning = status.clock_warning(clock_warning_s)
        self.clock_offset_min = round((status.clock_offset_s or 0.0) / 60)
        self.rejected = status.rejected
