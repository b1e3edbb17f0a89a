"""Notice: an unknown or disabled badge, or a punch that could not be saved.

Clear and big, in the site's language; it goes back to idle by itself after
``terminal.notice_s`` seconds (the router's timer) or at a touch on OK.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty

from kiosk.domain.models import BadgeOutcome, OutcomeKind
from kiosk.i18n import format_clock
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import KioskScreen

_ICONS = {
    OutcomeKind.UNKNOWN_BADGE: "question",
    OutcomeKind.DISABLED: "lock",
    OutcomeKind.STORAGE_ERROR: "storage",
}


class NoticeScreen(KioskScreen):
    kind = StringProperty("")  # an OutcomeKind value, "" when cleared
    severity = StringProperty("warn")  # "warn" or "error": the background colour
    icon = StringProperty("")
    title = StringProperty("")
    body = StringProperty("")
    time_left = NumericProperty(0.0)  # 1 -> 0 until the screen goes back to idle

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._outcome: BadgeOutcome | None = None
        self._shown_at = ""
        self._countdown: Any = None

    def show(self, outcome: BadgeOutcome, seconds: float) -> None:
        self._outcome = outcome
        self._shown_at = format_clock(datetime.now().astimezone())
        self._stop_countdown()
        deadline = time.monotonic() + seconds

        def step(_dt: float) -> bool:
            self.time_left = max(0.0, (deadline - time.monotonic()) / seconds)
            return self.time_left > 0.0

        step(0)
        # A few steps a second, not an Animation's 60 redraws (see welcome.py).
        self._countdown = Clock.schedule_interval(step, 0.1)
        self.redraw()

    def _stop_countdown(self) -> None:
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None

    def redraw(self) -> None:
        outcome = self._outcome
        if outcome is None:
            self.kind = self.icon = self.title = self.body = ""
            return
        self.kind = outcome.kind.value
        self.icon = _ICONS.get(outcome.kind, "alert")
        self.severity = "warn" if outcome.kind is OutcomeKind.UNKNOWN_BADGE else "error"
        if outcome.kind is OutcomeKind.UNKNOWN_BADGE:
            self.title = tr._("Unknown badge")
            self.body = tr._("This badge is not registered on this terminal. "
                             "Please see your manager.")
        elif outcome.kind is OutcomeKind.DISABLED:
            self.title = tr._("Badge disabled")
            self.body = tr._("This badge can no longer be used. Please see your manager.")
        else:
            self.title = tr._("Punch not recorded")
            self.body = tr._("Terminal out of order: tell your manager and write down "
                             "the time, {time}.").format(time=self._shown_at)
            # The technical detail (a path, an error) is for site IT: on the admin
            # screen, in ``kiosk doctor`` and in the log (ScreenDeck.show_notice), never here.

    def clear(self) -> None:
        self._stop_countdown()
        self._outcome = None
        self.time_left = 0.0
        self.redraw()
