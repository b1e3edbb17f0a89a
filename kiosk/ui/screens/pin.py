"""The admin PIN: a big digit pad after an admin badge, masked dots, Clear and Cancel.

The digits typed stay in this screen only until OK (then the core worker checks
them) or the session ends; they are never logged.  The station says what came
of it: the admin screen, or this screen again with the verdict (wrong PIN and
the tries left, the lockout and its countdown, or no PIN set on the terminal).
"""

from __future__ import annotations

import time
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from contract.pin import ENTRY_MIN_DIGITS, MAX_DIGITS
from kiosk.domain.admin import AdminPinState
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import theme


class PinDots(Widget):
    """The PIN masked: one dot per digit typed, hollow places up to the shortest PIN."""

    count = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("pos", "size", "count"):
            self.fbind(name, self._draw)

    def _draw(self, *_: Any) -> None:
        self.canvas.clear()
        places = max(ENTRY_MIN_DIGITS, int(self.count))
        size = min(self.height, theme.touch * 0.34)
        gap = size * 0.9
        x = self.x
        y = self.center_y - size / 2
        with self.canvas:
            for index in range(places):
                if index < self.count:
                    Color(*theme.text)
                    Ellipse(pos=(x, y), size=(size, size))
                else:
                    Color(*theme.line_color)
                    Line(ellipse=(x + 1, y + 1, size - 2, size - 2), width=1.6)
                x += size + gap


class PinScreen(KioskScreen):
    dots = NumericProperty(0)  # digits typed so far
    message = StringProperty("")
    hint = StringProperty("")  # the how-to under the message (no PIN set)
    level = StringProperty("")  # "", "warn" or "error": the message's colour
    pad_enabled = BooleanProperty(True)
    can_submit = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._digits = ""
        self._state: AdminPinState | None = None
        self._locked_until = 0.0
        self._checking = False
        self._countdown: Any = None

    # Called by the router ---------------------------------------------------------------

    def show(self, state: AdminPinState) -> None:
        """The station's verdict (or the first prompt): a fresh, empty entry each time."""
        self._state = state
        self._digits = ""
        self._checking = False
        self._locked_until = time.monotonic() + state.locked_for_s
        self._stop_countdown()
        if state.locked_for_s > 0:
            self._countdown = Clock.schedule_interval(lambda _dt: self.redraw(), 0.5)
        self.redraw()

    # Touches ------------------------------------------------------------------------------

    def press(self, key: str) -> None:
        if not self.pad_enabled:
            return
        if key == "clear":
            self._digits = ""
        elif key == "ok":
            self.submit()
            return
        elif key.isdigit() and len(self._digits) < MAX_DIGITS:
            self._digits += key
        self.redraw()

    def submit(self) -> None:
        if len(self._digits) < ENTRY_MIN_DIGITS or not self.pad_enabled or self.router is None:
            return
        pin, self._digits = self._digits, ""
        self._checking = True
        self.redraw()
        self.router.enter_admin_pin(pin)

    def key_for(self, key: str) -> Any:
        """The pad's button for a digit, "clear" or "ok" (the tour and tests press it)."""
        if key in ("clear", "ok"):
            return self.ids[f"{key}_key"]
        return next(k for k in self.ids.pad.children if getattr(k, "text", "") == key)

    # Drawing --------------------------------------------------------------------------------

    def redraw(self) -> None:
        state = self._state
        self.dots = len(self._digits)
        self.hint = ""
        locked = max(0.0, self._locked_until - time.monotonic())
        if state is None:
            self.message, self.level = "", ""
            self.pad_enabled = False
        elif not state.pin_set:
            self.message = tr._("No admin PIN set on this terminal.")
            self.hint = tr._("Site IT makes one with {command}, then sets [admin] pin_hash "
                             "in kiosk.toml.").format(command="kiosk admin-pin")
            self.level, self.pad_enabled = "error", False
        elif locked > 0:
            self.message = tr._("Too many wrong PINs. Try again in {n} s.").format(
                n=int(locked + 0.999))
            self.level, self.pad_enabled = "error", False
        else:
            self._stop_countdown()
            self.pad_enabled = not self._checking
            if self._checking:
                self.message, self.level = tr._("Checking…"), ""
            elif state.wrong and state.locked_for_s == 0:
                self.message = tr.ngettext("Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.",
                                           state.tries_left).format(n=state.tries_left)
                self.level = "warn"
            else:
                self.message, self.level = tr._("Enter the admin PIN."), ""
        self.can_submit = self.pad_enabled and len(self._digits) >= ENTRY_MIN_DIGITS

    def _stop_countdown(self) -> None:
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None

    def left(self) -> None:
        self._stop_countdown()

    def clear(self) -> None:
        self._stop_countdown()
        self._digits = ""
        self._state = None
        self._checking = False
        self._locked_until = 0.0
        self.redraw()
