"""Idle: the big clock, the site, 'present your badge', and the terminal's health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.i18n import format_clock, format_long_date
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.status import TerminalStatus, reader_words


class IdleScreen(KioskScreen):
    site_name = StringProperty("")
    terminal_name = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    reader_text = StringProperty("")
    storage_text = StringProperty("")
    server_text = StringProperty("")
    reader_ready = BooleanProperty(True)
    status = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ticker: Any = None

    def on_status(self, _: Any, status: TerminalStatus | None) -> None:
        if status is not None:
            status.fbind("reader_state", self.refresh)
            status.fbind("storage_level", self.refresh)
            status.fbind("storage_damaged", self.refresh)
            status.fbind("server_state", self.refresh)
            status.fbind("outbox_depth", self.refresh)
            status.fbind("rejected", self.refresh)
            status.fbind("clock_warning", self.refresh)
            status.fbind("clock_offset_min", self.refresh)
        self.refresh()

    def entered(self) -> None:
        if self._ticker is None:
            self._ticker = Clock.schedule_interval(lambda *_: self._update_clock(), 1.0)

    def left(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def _update_clock(self) -> None:
        now = datetime.now().astimezone()
        self.clock_text = format_clock(now)
        self.date_text = format_long_date(now.date(), tr.lang)

    def redraw(self) -> None:
        self._update_clock()
        status = self.status
        if status is None:
            return
        self.reader_ready = status.reader_state in ("", "connected", "connecting")
        self.reader_text = reader_words(status.reader_state)
        self.storage_text = {
            "ok": tr._("Storage OK"),
            "error": tr._("Storage error"),
        }.get(status.storage_level, tr._("Checking storage"))
        if status.storage_level == "error" and status.storage_damaged:
            # The fix is long and for site IT: the admin screen and kiosk doctor give it.
            self.storage_text = tr._("Database damaged")
        self.server_text = {
            "online": tr._("Server connected"),
            "connecting": tr._("Connecting to the server"),
            "offline": tr._("Server unreachable"),
            "not_enrolled": tr._("Terminal not enrolled"),
            "revoked": tr._("Terminal revoked"),
            "incompatible": tr._("Server version not supported"),
        }.get(status.server_state, tr._("Offline mode"))
        if status.outbox_depth and status.server_state != "disabled":
            waiting = tr.ngettext("{n} to send", "{n} to send", status.outbox_depth)
            self.server_text += " · " + waiting.format(n=status.outbox_depth)
        if status.rejected:
            refused = tr.ngettext("{n} refused by the server", "{n} refused by the server",
                                  status.rejected)
            self.server_text += " · " + refused.format(n=status.rejected)
        if status.clock_warning:
            minutes = abs(status.clock_offset_min)
            self.server_text += " · " + tr.ngettext(
                "clock off by {n} minute", "clock off by {n} minutes", minutes
            ).format(n=minutes)
