"""The base of every screen: a router to call, coalesced redraws, and enter/leave hooks."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import quick_replies
from kiosk.ui.i18n import tr
from kiosk.ui.widgets import lazy_labels  # noqa: F401  (installed before any screen is built)


class KioskScreen(Screen):
    """Subclasses implement ``redraw`` (values -> widgets) and ``clear`` (forget the worker).

    ``refresh()`` asks for a redraw; bursts of requests (a language switch, a
    status change and a tick in the same frame) become one redraw.
    """

    router = ObjectProperty(None, allownone=True)
    session_left = NumericProperty(0)  # whole seconds before the session ends; 0 = no session
    # The message screens: no key for the message cache yet (``LockedMessages`` shows).
    messages_locked = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        self._redraw_trigger = Clock.create_trigger(lambda *_: self.redraw(), -1)
        super().__init__(**kwargs)
        tr.fbind("lang", self.refresh)

    def refresh(self, *_: Any) -> None:
        self._redraw_trigger()

    def on_pre_enter(self, *_: Any) -> None:
        self.entered()
        self.redraw()

    def on_leave(self, *_: Any) -> None:
        self.left()

    def quick_replies(self, language: str) -> list[str]:
        """The site's quick replies in ``language`` (the router has the current site
        settings), or the built-in ones."""
        if self.router is not None:
            return self.router.quick_replies(language)
        return quick_replies(language)

    # Hooks -------------------------------------------------------------------------

    def entered(self) -> None:
        """About to be shown: start timers here."""

    def left(self) -> None:
        """Hidden: stop timers here."""

    def redraw(self) -> None:
        """Show the current values (and the current language)."""

    def clear(self) -> None:
        """The session ended: drop every value of the worker and blank the widgets."""
