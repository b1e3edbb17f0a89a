"""The screens as the station sees them: the ``StationView``, plus navigation between screens.

The station decides *what* happens (sessions, punches, messages); the router
only picks the screen, its language and hands it the values to show.  Screens
call back here for navigation; they never reach the core themselves.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.admin import AdminPinState
from kiosk.models import (
    Attachment,
    BadgeOutcome,
    DrawingAttachment,
    Message,
    MessageSummary,
    OutcomeKind,
    PhotoAttachment,
    SendRefused,
)
from kiosk.session import Session
from kiosk.site_settings import SiteSettings
from kiosk.station import Station
from ui.i18n import tr
from ui.screens.base import KioskScreen
from ui.status import TerminalStatus

log = logging.getLogger(__name__)

IDLE, WELCOME, NOTICE, INBOX, MESSAGE = "idle", "welcome", "notice", "inbox", "message"
COMPOSE = "compose"
PICTURE = "picture"
SENT = "sent"
DRAWING = "drawing"
CAMERA = "camera"
ADMIN_PIN, ADMIN = "admin_pin", "admin"


class Router:
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
        # Screens not built yet (the idle screen comes first; the others are
        # built after the first frame, or on first use, whichever is sooner).
        self._factories = dict(factories or {})
        self._on_demand = dict(on_demand or {})  # built on first use only
        self.manager.transition = NoTransition()  # instant, and no half-translated frame
        self.status = status
        self.idle_language = idle_language
        self.notice_s = notice_s
        self.station: Station | None = None  # set by the wiring once the runtime exists
        self._notice_timeout = Clock.create_trigger(self._notice_over, notice_s)
        self._notice_until = 0.0
        # The site settings in force (the runtime replaces them: apply_settings).
        self.settings = SiteSettings(language=idle_language, notice_s=round(notice_s))
        for screen in manager.screens:
            if isinstance(screen, KioskScreen):
                screen.router = self
        tr.switch(idle_language)

    def apply_settings(self, settings: SiteSettings) -> None:
        """New site settings, on the UI thread.  The idle language shows at once on the
        idle screen (never in a worker's session: theirs is the worker's language); the
        notice time counts from the next notice; quick replies from the next screen."""
        previous, self.settings = self.settings, settings
        self.notice_s = float(settings.notice_s)
        self._notice_timeout.timeout = self.notice_s
        if settings.language != previous.language:  # (a --language override stays till then)
            self.idle_language = settings.language
            if self.manager.current == IDLE:
                tr.switch(settings.language)

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
        screen.router = self
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

    def _go(self, name: str, language: str) -> None:
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
        self._go(IDLE, self.idle_language)

    def show_welcome(self, session: Session, outcome: BadgeOutcome) -> None:
        self.status.set_storage_ok()
        self.screen(WELCOME).show(session, outcome)
        self._go(WELCOME, session.employee.language)

    def show_notice(self, outcome: BadgeOutcome) -> None:
        # Notices speak the site's language: a lost badge may be in someone else's hand.
        if outcome.kind is OutcomeKind.STORAGE_ERROR:
            self.status.set_storage_error(outcome.detail)
        log.info("notice shown: %s", outcome.kind.value)
        self.screen(NOTICE).show(outcome, self.notice_s)
        self._go(NOTICE, self.idle_language)
        self._notice_until = time.monotonic() + self.notice_s
        self._notice_timeout()

    def show_punch_changed(self, session: Session) -> None:
        self.screen(WELCOME).punch_changed(session)

    def show_admin_pin(self, state: AdminPinState) -> None:
        log.info("admin PIN asked")  # never the badge
        self.screen(ADMIN_PIN).show(state)
        self._go(ADMIN_PIN, self.idle_language)

    def show_admin(self) -> None:
        log.info("admin screen opened")
        self.screen(ADMIN_PIN).clear()  # the digits typed go at once
        self.screen(ADMIN).opened()
        self._go(ADMIN, self.idle_language)

    def enter_admin_pin(self, pin: str) -> None:
        if self.station is not None:
            self.station.admin.enter_pin(pin)

    def load_admin_report(self, on_result: Callable[[Any], None]) -> None:
        """The admin screen's report (a ``kiosk.diagnostics.AdminReport``), gathered off
        this thread; only while the admin session is open."""
        if self.station is not None:
            self.station.admin.load_report(on_result)

    # Navigation asked by the screens ----------------------------------------------

    def touched(self) -> None:
        if self.station is not None:
            self.station.touch()

    def open_inbox(self) -> None:
        if self.station is None or self.station.session is None:
            return
        language = self.station.session.employee.language
        inbox = self.screen(INBOX)
        inbox.loading(self.station.session)
        self._go(INBOX, language)
        self.station.load_inbox(self._inbox_loaded)

    def _inbox_loaded(self, items: list[MessageSummary]) -> None:
        self.screen(INBOX).show(items)
        if self.station is not None:
            self.station.load_unread_count(self.screen(INBOX).unread_counted)

    def load_older_messages(self, before: MessageSummary) -> None:
        """The inbox was scrolled to its end: the page older than ``before``."""
        if self.station is not None and self.station.session is not None:
            self.station.load_inbox(lambda items: self.screen(INBOX).show_older(items, before),
                                    before)

    def open_message(self, message_id: str) -> None:
        if self.station is None or self.station.session is None:
            return
        self.screen(MESSAGE).loading()
        self._go(MESSAGE, self.station.session.employee.language)
        self.station.open_message(message_id, self._message_loaded)

    def _message_loaded(self, message: Message | None) -> None:
        if message is None:  # withdrawn or expired meanwhile
            self.open_inbox()
            return
        self.screen(MESSAGE).show(message)
        self.screen(INBOX).mark_read(message.id)
        if message.attachment_sha256 is not None:
            self.load_picture(message.id, message.attachment_sha256)

    def load_picture(self, message_id: str, sha256: str) -> None:
        """Attachment bytes from the core, then decoded off the UI thread at screen size."""
        from kivy.core.window import Window

        from ui.pictures import load_texture

        screen = self.screen(MESSAGE)

        def loaded(found: tuple[bytes, str] | None) -> None:
            if found is None:
                screen.picture_loaded(message_id, None)
                return
            load_texture(found[0], Window.size, lambda texture: screen.picture_loaded(
                message_id, texture, unreadable=texture is None))

        if self.station is not None:
            self.station.load_attachment(sha256, loaded)

    def open_picture(self, texture: Any, caption: str) -> None:
        """A message's photo or drawing, full screen; Back returns where it was opened."""
        session = self.station.session if self.station is not None else None
        if session is None:
            return
        self.screen(PICTURE).show(texture, caption, self.manager.current)
        self._go(PICTURE, session.employee.language)

    def acknowledge(self, message_id: str) -> None:
        if self.station is not None:
            self.station.acknowledge(
                message_id, lambda at: self.screen(MESSAGE).acked(message_id, at))

    def open_sent(self) -> None:
        """The worker's own messages and how far each got (pending, awaiting approval...)."""
        if self.station is None or self.station.session is None:
            return
        session = self.station.session
        sent = self.screen(SENT)
        sent.loading(session)
        self._go(SENT, session.employee.language)
        self.station.load_sent(sent.show)

    def compose_new(self) -> None:
        self._compose(None, "")

    def compose_reply(self, message: Message, text: str = "") -> None:
        """Answer ``message``'s sender; ``text`` (a quick reply) makes it ready to send."""
        self._compose(message, text)

    def _compose(self, reply: Message | None, text: str) -> None:
        if self.station is None or self.station.session is None:
            return
        session = self.station.session
        compose = self.screen(COMPOSE)
        compose.start(session, reply, text)
        self._go(COMPOSE, session.employee.language)
        self.station.load_contacts(compose.contacts_loaded)

    def send_message(
        self, to_employees: list[int], to_groups: list[int], body: str, reply_to: str | None,
        attachment: Attachment | None = None,
    ) -> None:
        if self.station is None:
            return
        compose = self.screen(COMPOSE)

        def refused(exc: SendRefused) -> None:
            compose.refused(exc)

        self.station.send(to_employees, to_groups, body, reply_to, compose.sent, refused,
                          attachment=attachment)

    def open_drawing(self, background: bytes | None = None) -> None:
        """The drawing screen, from compose; over ``background`` (a JPEG) to annotate a photo."""
        if self.station is None or self.station.session is None:
            return
        self.screen(DRAWING).start(background)
        self._go(DRAWING, self.station.session.employee.language)

    def drawing_done(self, attachment: DrawingAttachment) -> None:
        """The drawing goes with the draft: back to compose, which shows it."""
        self.screen(COMPOSE).attach(attachment)
        self.back_to_compose()

    def open_camera(self) -> None:
        """The camera, from compose, for the current session's worker."""
        if self.station is None or self.station.session is None:
            return
        self.screen(CAMERA).start(self.station.session)
        self._go(CAMERA, self.station.session.employee.language)

    def photo_taken(self, attachment: PhotoAttachment) -> None:
        """The photo goes with the draft: back to compose, which shows it."""
        self.screen(COMPOSE).attach(attachment)
        self.back_to_compose()

    def back_to_compose(self) -> None:
        """Back to compose from the drawing or the camera (Cancel or Back: nothing
        attached); the draft is as it was left."""
        session = self.station.session if self.station is not None else None
        if session is None:
            self.show_idle()
            return
        self.touched()
        self._go(COMPOSE, session.employee.language)

    def back(self) -> None:
        session = self.station.session if self.station is not None else None
        if session is None:
            self.show_idle()
        elif self.manager.current in (DRAWING, CAMERA):
            self.back_to_compose()
        elif self.manager.current == PICTURE:
            self.touched()
            self._go(self.screen(PICTURE).return_to or MESSAGE, session.employee.language)
        elif self.manager.current in (MESSAGE, COMPOSE, SENT):
            self.open_inbox()
        else:
            self.touched()
            self._go(WELCOME, session.employee.language)

    def done(self) -> None:
        """The worker is finished: end the session now (the station shows idle)."""
        if self.station is not None:
            self.station.end_session()
        if self.manager.current != IDLE:
            self.show_idle()

    def switch_punch(self) -> None:
        if self.station is not None:
            self.station.switch_punch()

    def undo_punch(self) -> None:
        if self.station is not None:
            self.station.undo_punch()

    def can_change_punch(self) -> bool:
        return self.station is not None and self.station.can_change_punch()

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
