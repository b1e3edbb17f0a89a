"""The screens as the station sees them: the ``StationView`` the runtime is built with.

The deck owns Kivy's ``ScreenManager``: it builds each screen (the idle one first, the
others after the first frame or on first use), switches between them in the right
language, and clears every screen when a session ends.  It exists before the runtime
(the station needs a view); the ``Router``, built with the runtime's station, then
attaches itself to every screen for the touches that go back to the station.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.uix.screenmanager import ScreenManager

from kiosk.domain.admin import AdminPinState
from kiosk.domain.models import BadgeOutcome, OutcomeKind
from kiosk.domain.session import Session
from kiosk.settings.site_settings import SiteSettings
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import theme
from kiosk.ui.widgets.clipping import InstantTransition
from kiosk.ui.widgets.punch_sound import PunchSound
from kiosk.ui.widgets.status import TerminalStatus

log = logging.getLogger(__name__)

IDLE, WELCOME, NOTICE, INBOX, MESSAGE = "idle", "welcome", "notice", "inbox", "message"
COMPOSE = "compose"
PICTURE = "picture"
SENT = "sent"
DRAWING = "drawing"
CAMERA = "camera"
ADMIN_PIN, ADMIN = "admin_pin", "admin"


class ScreenDeck:
    def __init__(
        self,
        manager: ScreenManager,
        status: TerminalStatus,
        idle_language: str,
        notice_s: float,
        factories: dict[str, Callable[[], KioskScreen]] | None = None,
        on_demand: dict[str, Callable[[], KioskScreen]] | None = None,
    ) -> None:
        self.manager = manager
        self.punch_sound = PunchSound(enabled=False)  # the shell sets the configured one
        # Screens not built yet (the idle screen comes first; the others are
        # built after the first frame, or on first use, whichever is sooner).
        self._factories = dict(factories or {})
        self._on_demand = dict(on_demand or {})  # built on first use only
        # Instant, no half-translated frame, and no frame with the old screen under the
        # new one (kiosk.ui.widgets.clipping).
        self.manager.transition = InstantTransition()
        self.status = status
        self.idle_language = idle_language
        self.notice_s = notice_s
        # The Router (kiosk.ui.wiring.router), attached once the station exists; not
        # imported here: it imports the deck.
        self.router: Any = None
        self._notice_timeout = Clock.create_trigger(self._notice_over, notice_s)
        self._notice_until = 0.0
        # The site settings in force (the runtime replaces them: apply_settings).
        self.settings = SiteSettings(language=idle_language, notice_s=round(notice_s))
        tr.switch(idle_language)

    def attach(self, router: Any) -> None:
        """Screens built from now on, and those built already, send their touches to
        ``router``."""
        self.router = router
        for screen in self.manager.screens:
            if isinstance(screen, KioskScreen):
                screen.router = router

    def apply_settings(self, settings: SiteSettings) -> None:
        """New site settings, on the UI thread.  The idle language shows at once on the
        idle screen (never in a worker's session: theirs is the worker's language); the
        notice time counts from the next notice; quick replies from the next screen.  A
        new theme shows at once on the idle screen, else from the next idle screen: the
        colours never change under a worker's finger."""
        previous, self.settings = self.settings, settings
        self.notice_s = float(settings.notice_s)
        self._notice_timeout.timeout = self.notice_s
        if settings.language != previous.language:  # (a --language override stays till then)
            self.idle_language = settings.language
            if self.manager.current == IDLE:
                tr.switch(settings.language)
        if self.manager.current == IDLE:
            self.use_theme()

    def use_theme(self) -> None:
        """The colours of the site settings in force (the .kv rules follow at once)."""
        if theme.palette != self.settings.theme:
            log.info("theme %s", self.settings.theme)
            theme.use(self.settings.theme)

    def quick_replies(self, lang: str) -> list[str]:
        """One-tap answers for a worker reading ``lang``: the site's, else the built-in."""
        return self.settings.replies_for(lang)

    def screen(self, name: str) -> Any:
        if not self.manager.has_screen(name):
            self._build(name)
        return self.manager.get_screen(name)

    def _build(self, name: str) -> None:
        factory = self._factories.pop(name, None) or self._on_demand.pop(name)
        screen = factory()
        screen.router = self.router
        self.manager.add_widget(screen)

    def build_next(self) -> bool:
        """Build one screen still waiting; False when all are built."""
        if not self._factories:
            return False
        self._build(next(iter(self._factories)))
        return True

    @property
    def current(self) -> str:
        return self.manager.current

    def go(self, name: str, language: str) -> None:
        log.debug("screen %s (%s)", name, language)
        self._notice_timeout.cancel()
        if name in (IDLE, NOTICE):
            # The session is over: nothing of that worker stays in any screen.
            for screen in self.manager.screens:
                if isinstance(screen, KioskScreen) and screen.name != name:
                    screen.clear()
        tr.switch(language)
        if self.manager.current != name:
            self.manager.current = name

    # StationView --------------------------------------------------------------

    def show_idle(self) -> None:
        self.use_theme()  # a theme set during a session shows from here
        self.go(IDLE, self.idle_language)

    def show_welcome(self, session: Session, outcome: BadgeOutcome) -> None:
        if outcome.punch is not None:
            self.punch_sound.play()  # heard as the screen changes (none: nothing)
        self.status.set_storage_ok()
        self.screen(WELCOME).show(session, outcome)
        self.go(WELCOME, session.employee.language)

    def show_notice(self, outcome: BadgeOutcome) -> None:
        # Notices speak the site's language: a lost badge may be in someone else's hand.
        if outcome.kind is OutcomeKind.STORAGE_ERROR:
            self.status.set_storage_error(outcome.detail)
            # The worker reads a short notice; the detail is for site IT (and the admin screen).
            log.warning("punch not recorded: %s", outcome.detail)
        log.info("notice shown: %s", outcome.kind.value)
        self.screen(NOTICE).show(outcome, self.notice_s)
        self.go(NOTICE, self.idle_language)
        self._notice_until = time.monotonic() + self.notice_s
        self._notice_timeout()

    def show_punch_changed(self, session: Session) -> None:
        self.screen(WELCOME).punch_changed(session)

    def show_admin_pin(self, state: AdminPinState) -> None:
        log.info("admin PIN asked")  # never the badge
        self.screen(ADMIN_PIN).show(state)
        self.go(ADMIN_PIN, self.idle_language)

    def show_admin(self) -> None:
        log.info("admin screen opened")
        self.screen(ADMIN_PIN).clear()  # the digits typed go at once
        self.screen(ADMIN).opened()
        self.go(ADMIN, self.idle_language)

    def _notice_over(self, *_: Any) -> None:
        if self.manager.current != NOTICE:
            return
        early = self._notice_until - time.monotonic()
        if early > 0.05:  # a timer left from an earlier notice: this one stays its full time
            log.debug("notice timer %.2f s early", early)
            Clock.schedule_once(self._notice_over, early)
            return
        log.debug("notice over")
        self.show_idle()
