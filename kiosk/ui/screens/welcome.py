"""Welcome: who badged, the punch just recorded, unread messages, and what to do next."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.domain.models import BadgeOutcome, Direction
from kiosk.domain.session import Session
from kiosk.i18n import format_clock, format_long_date
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import KioskScreen

UNDO_BAR_STEP_S = 0.1


def initials(first: str, last: str) -> str:
    return "".join(part[:1] for part in (first, last) if part).upper()


class WelcomeScreen(KioskScreen):
    greeting = StringProperty("")
    name_text = StringProperty("")
    initials_text = StringProperty("")
    direction = StringProperty("")  # "IN", "OUT", or "" (undone / cleared)
    punch_title = StringProperty("")
    punch_text = StringProperty("")
    punch_date = StringProperty("")
    clock_text = StringProperty("")
    unread = NumericProperty(0)
    unread_text = StringProperty("")
    # The message still waiting for this worker's acknowledgement ("": none): the tile
    # says so, and the inbox it opens has such messages on top (a reminder from HR
    # brings them back there).
    to_acknowledge = StringProperty("")
    switch_text = StringProperty("")
    can_change = BooleanProperty(False)
    has_punch = BooleanProperty(True)  # False: the badge recorded no punch (messages_only)
    undo_left = NumericProperty(0.0)  # 1 -> 0 while the punch may still be changed

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._session: Session | None = None
        self._unread = 0
        self._messages_locked = False
        self._to_acknowledge = ""
        self._countdown: Any = None

    # Called by the router --------------------------------------------------------------

    def show(self, session: Session, outcome: BadgeOutcome) -> None:
        self._session = session
        self._unread = outcome.unread
        self._messages_locked = outcome.messages_locked
        self._to_acknowledge = outcome.to_acknowledge or ""
        self._start_undo_countdown(session)
        self.redraw()

    def punch_changed(self, session: Session) -> None:
        self._session = session
        if session.punch_undone:
            self._stop_undo_countdown()
        self.redraw()

    def tick(self) -> None:
        """Once a second: the clock, and the switch/undo buttons go when the undo window closes."""
        if self._session is not None:
            self.clock_text = format_clock(datetime.now().astimezone())
        if self.can_change and not (self.router and self.router.can_change_punch()):
            self._stop_undo_countdown()
            self.can_change = False

    # Drawing ---------------------------------------------------------------------------------

    def redraw(self) -> None:
        session = self._session
        if session is None:
            self._blank()
            return
        employee, punch = session.employee, session.punch
        self.clock_text = format_clock(datetime.now().astimezone())
        self.greeting = tr._("Hello,")
        self.name_text = employee.display_name
        self.initials_text = initials(employee.first_name, employee.last_name)
        self.can_change = bool(self.router and self.router.can_change_punch())
        # No punch and none undone: this site's badges open messages only; say nothing of
        # a punch (the greeting and the messages are the whole welcome).
        self.has_punch = punch is not None or session.punch_undone
        if not self.has_punch:
            self.direction = self.punch_title = self.punch_text = self.punch_date = ""
        elif punch is None or session.punch_undone:
            self.direction = ""
            self.punch_title = tr._("Punch cancelled")
            self.punch_text = tr._("Nothing was recorded.")
            self.punch_date = ""
        else:
            at = format_clock(punch.wall_time)
            self.punch_date = format_long_date(punch.wall_time.date(), tr.lang)
            if punch.direction is Direction.IN:
                self.direction = "IN"
                self.punch_title = tr._("Clocked in")
                self.punch_text = tr._("Clock-in recorded at {time}").format(time=at)
                self.switch_text = tr._("Change to OUT")
            else:
                self.direction = "OUT"
                self.punch_title = tr._("Clocked out")
                self.punch_text = tr._("Clock-out recorded at {time}").format(time=at)
                self.switch_text = tr._("Change to IN")
        self.unread = self._unread
        self.to_acknowledge = "" if self._messages_locked else self._to_acknowledge
        if self._messages_locked:  # no cache key yet: messages cannot be read here now
            self.unread_text = tr._("Messages available when the terminal is back online")
        elif self.to_acknowledge:
            self.unread_text = tr._("A message to acknowledge")
        else:
            self.unread_text = (
                tr.ngettext("new message", "new messages", self._unread)
                if self._unread else tr._("No new messages")
            )

    def clear(self) -> None:
        self._session = None
        self._unread = 0
        self._messages_locked = False
        self._to_acknowledge = ""
        self._stop_undo_countdown()
        self._blank()

    def _blank(self) -> None:
        # What is the worker's goes: name, initials, the punch's time, the unread count.
        # The words every worker gets (greeting, titles, button labels, the date and the
        # clock) stay: the next badge then re-renders only what changed, not every label
        # of the screen (each a texture to rasterise and upload in the badge's frame).
        self.name_text = self.initials_text = self.punch_text = ""
        self.unread = 0
        self.to_acknowledge = ""
        self.can_change = False

    # The undo window, shown as a bar that empties ---------------------------------------

    def _start_undo_countdown(self, session: Session) -> None:
        self._stop_undo_countdown()
        total = session.policy.punch_undo_s
        left = session.opened_at + total - time.monotonic()
        if total <= 0 or left <= 0:
            self.undo_left = 0.0
            return
        deadline = session.opened_at + total

        def step(_dt: float) -> bool:
            self.undo_left = max(0.0, (deadline - time.monotonic()) / total)
            return self.undo_left > 0.0  # False unschedules

        step(0)
        # Ten steps a second look smooth for a bar that empties over seconds, and leave
        # the GPU idle between them (an Animation would redraw the screen 60 times a
        # second, which a Raspberry Pi class GPU, or Mesa in software, cannot keep up with).
        self._countdown = Clock.schedule_interval(step, UNDO_BAR_STEP_S)

    def _stop_undo_countdown(self) -> None:
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None
        self.undo_left = 0.0
