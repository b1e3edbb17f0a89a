"""Navigation asked by the screens: each touch that needs the core goes to the station.

The station decides *what* happens (sessions, punches, messages); the router only picks
the screen (through the ``ScreenDeck``), its language, and hands it the values to show.
Screens call back here; they never reach the core themselves.  The router is built
with the runtime's station, so every call has one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.uix.screenmanager import ScreenManager

from kiosk.app.station import Station
from kiosk.domain.models import (
    Attachment,
    DrawingAttachment,
    Message,
    MessageSummary,
    PhotoAttachment,
    SendRefused,
)
from kiosk.settings.site_settings import SiteSettings
from kiosk.ui.wiring.screen_deck import (
    CAMERA,
    COMPOSE,
    DRAWING,
    IDLE,
    INBOX,
    MESSAGE,
    PICTURE,
    SENT,
    WELCOME,
    ScreenDeck,
)

if TYPE_CHECKING:
    from kiosk.camera.frames import Frame

log = logging.getLogger(__name__)

# Screens that show messages: without the cache's key they say so (``messages_locked``).
MESSAGE_SCREENS = frozenset({INBOX, MESSAGE, COMPOSE, SENT})


class Router:
    def __init__(self, deck: ScreenDeck, station: Station) -> None:
        self.deck = deck
        self.station = station
        deck.attach(self)

    # What the screens read of the deck ----------------------------------------------

    @property
    def manager(self) -> ScreenManager:
        return self.deck.manager

    @property
    def current(self) -> str:
        return self.deck.manager.current

    @property
    def settings(self) -> SiteSettings:
        return self.deck.settings

    @property
    def idle_language(self) -> str:
        return self.deck.idle_language

    @property
    def notice_s(self) -> float:
        return self.deck.notice_s

    def screen(self, name: str) -> Any:
        return self.deck.screen(name)

    def quick_replies(self, lang: str) -> list[str]:
        return self.deck.quick_replies(lang)

    def show_idle(self) -> None:
        self.deck.show_idle()

    def _go(self, name: str, language: str) -> None:
        if name in MESSAGE_SCREENS and self.station.session is not None:
            # Without the cache's key they would be empty: they say why instead.
            self.screen(name).messages_locked = self.station.session.messages_locked
        self.deck.go(name, language)

    # The admin side -------------------------------------------------------------------

    def enter_admin_pin(self, pin: str) -> None:
        self.station.admin.enter_pin(pin)

    def load_admin_report(self, on_result: Callable[[Any], None]) -> None:
        """The admin screen's report (a ``kiosk.doctor.diagnostics.AdminReport``), gathered off
        this thread; only while the admin session is open."""
        self.station.admin.load_report(on_result)

    # Navigation asked by the screens ----------------------------------------------

    def touched(self) -> None:
        self.station.touch()

    def open_inbox(self) -> None:
        if self.station.session is None:
            return
        language = self.station.session.employee.language
        # The query first: the core worker runs it while this thread switches screens, so
        # the rows are usually back before the next frame, and the inbox is drawn once,
        # with its rows (not a "Loading" frame first, with the rows one frame behind).
        self.station.load_inbox(self._inbox_loaded)
        inbox = self.screen(INBOX)
        inbox.loading(self.station.session)
        self._go(INBOX, language)

    def _inbox_loaded(self, items: list[MessageSummary]) -> None:
        self.screen(INBOX).show(items)
        self.station.load_unread_count(self.screen(INBOX).unread_counted)

    def load_older_messages(self, before: MessageSummary) -> None:
        """The inbox was scrolled to its end: the page older than ``before``."""
        if self.station.session is not None:
            self.station.load_inbox(lambda items: self.screen(INBOX).show_older(items, before),
                                    before)

    def open_message(self, message_id: str) -> None:
        if self.station.session is None:
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

        from kiosk.ui.widgets.pictures import load_texture

        screen = self.screen(MESSAGE)

        def loaded(found: tuple[bytes, str] | None) -> None:
            if found is None:
                screen.picture_loaded(message_id, None)
                return
            load_texture(found[0], Window.size, lambda texture: screen.picture_loaded(
                message_id, texture, unreadable=texture is None))

        self.station.load_attachment(sha256, loaded)

    def open_picture(self, texture: Any, caption: str) -> None:
        """A message's photo or drawing, full screen; Back returns where it was opened."""
        session = self.station.session
        if session is None:
            return
        self.screen(PICTURE).show(texture, caption, self.deck.manager.current)
        self._go(PICTURE, session.employee.language)

    def acknowledge(self, message_id: str) -> None:
        self.station.acknowledge(
            message_id, lambda at: self.screen(MESSAGE).acked(message_id, at))

    def open_sent(self) -> None:
        """The worker's own messages and how far each got (pending, awaiting approval...)."""
        if self.station.session is None:
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
        if self.station.session is None:
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
        compose = self.screen(COMPOSE)

        def refused(exc: SendRefused) -> None:
            compose.refused(exc)

        self.station.send(to_employees, to_groups, body, reply_to, compose.sent, refused,
                          attachment=attachment)

    def send_quick_reply(
        self, message: Message, text: str, on_sent: Callable[[str], None],
        on_refused: Callable[[SendRefused], None],
    ) -> None:
        """One tap: ``text`` to ``message``'s sender now, held for the undo window."""
        self.station.send_quick_reply(message, text, on_sent, on_refused)

    def undo_send(self, message_id: str, on_result: Callable[[bool], None]) -> None:
        self.station.undo_send(message_id, on_result)

    def open_drawing(self, background: bytes | None = None) -> None:
        """The drawing screen, from compose; over ``background`` (a JPEG) to annotate a photo."""
        if self.station.session is None:
            return
        self.screen(DRAWING).start(background)
        self._go(DRAWING, self.station.session.employee.language)

    def drawing_done(self, attachment: DrawingAttachment) -> None:
        """The drawing goes with the draft: back to compose, which shows it."""
        self.screen(COMPOSE).attach(attachment)
        self.back_to_compose()

    def open_camera(self) -> None:
        """The camera, from compose, for the current session's worker."""
        if self.station.session is None:
            return
        self.screen(CAMERA).start(self.station.session)
        self._go(CAMERA, self.station.session.employee.language)

    def develop_photo(
        self,
        frame: Frame,
        on_done: Callable[[PhotoAttachment], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """The camera's frame made into a message's photo, off the UI thread."""
        self.station.develop_photo(frame, on_done, on_error)

    def photo_taken(self, attachment: PhotoAttachment) -> None:
        """The photo goes with the draft: back to compose, which shows it."""
        self.screen(COMPOSE).attach(attachment)
        self.back_to_compose()

    def back_to_compose(self) -> None:
        """Back to compose from the drawing or the camera (Cancel or Back: nothing
        attached); the draft is as it was left."""
        session = self.station.session
        if session is None:
            self.show_idle()
            return
        self.touched()
        self._go(COMPOSE, session.employee.language)

    def back(self) -> None:
        session = self.station.session
        if session is None:
            self.show_idle()
        elif self.deck.manager.current in (DRAWING, CAMERA):
            self.back_to_compose()
        elif self.deck.manager.current == PICTURE:
            self.touched()
            self._go(self.screen(PICTURE).return_to or MESSAGE, session.employee.language)
        elif self.deck.manager.current in (MESSAGE, COMPOSE, SENT):
            self.open_inbox()
        else:
            self.touched()
            self._go(WELCOME, session.employee.language)

    def done(self) -> None:
        """The worker is finished: end the session now (the station shows idle)."""
        self.station.end_session()
        if self.deck.manager.current != IDLE:
            self.show_idle()

    def switch_punch(self) -> None:
        self.station.switch_punch()

    def undo_punch(self) -> None:
        self.station.undo_punch()

    def can_change_punch(self) -> bool:
        return self.station.can_change_punch()
