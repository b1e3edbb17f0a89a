"""Message: one message in full, with its photo or drawing, marked read by the core on opening.

A message that asks for an acknowledgement keeps the worker until they tap
"I have read and understood": Back and Done then only highlight that button and
say why.  The session timeout (or the next badge) still ends the session,
privacy first; the message then stays unacknowledged.  Quick replies answer the
sender from here in one tap: sent at once, with an Undo bar for
QUICK_REPLY_UNDO_S seconds (the outbox holds the reply back meanwhile).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.utils import escape_markup

from kiosk.app.station import QUICK_REPLY_UNDO_S
from kiosk.domain.models import Message
from kiosk.i18n import format_clock, format_when
from kiosk.ui.i18n import picture_word, tr
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.common import fill_chips
from kiosk.ui.widgets.glyphs import drawable

PICTURE_RETRY_S = 4.0  # a picture not downloaded yet is looked for again this often


class MessageScreen(KioskScreen):
    name_text = StringProperty("")  # the worker, in the header
    sender = StringProperty("")
    when = StringProperty("")
    body = StringProperty("")
    ack_required = BooleanProperty(False)
    ack_text = StringProperty("")
    is_loading = BooleanProperty(False)
    ack_pending = BooleanProperty(False)  # asked and not given yet
    acking = BooleanProperty(False)  # the core is recording it
    nag = BooleanProperty(False)  # the worker tried to leave before confirming
    can_reply = BooleanProperty(False)
    hint_text = StringProperty("")
    has_picture = BooleanProperty(False)
    picture = ObjectProperty(None, allownone=True)  # the decoded texture, once ready
    picture_text = StringProperty("")  # while it loads, or why it is not shown
    thread_text = StringProperty("")  # the conversation before it (markup, escaped)
    undo_text = StringProperty("")  # a quick reply just sent: what went
    undo_left = NumericProperty(0.0)  # 1 -> 0 over its undo window

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._message: Message | None = None
        self._language = "en"
        self._picture_state = ""  # "", "loading", "missing", "broken" or "shown"
        self._retry_picture = Clock.create_trigger(self._picture_again, PICTURE_RETRY_S)
        self._undo_id = ""  # the quick reply that may still be taken back
        self._undo_clock: Any = None
        self._sending = False  # a quick reply on its way to the core: no second one
        self._flash = ""  # said once in the hint line (undone, too late, refused)
        self._undo_bar = self.ids.undo_bar.__self__  # strong: out of the tree mostly
        self.remove_widget(self._undo_bar)

    def loading(self) -> None:
        self._message = None
        self.picture, self.has_picture, self._picture_state = None, False, ""
        self._retry_picture.cancel()
        self.is_loading = True
        self.nag = self.acking = False
        self.redraw()

    def show(self, message: Message) -> None:
        if self._message is None or self._message.id != message.id:
            self._flash = ""
            self._hide_undo()  # (a reply still held leaves as planned)
        self._message = message
        self.is_loading = False
        self.picture = None
        self.has_picture = message.attachment_sha256 is not None
        self._picture_state = "loading" if self.has_picture else ""
        self.redraw()

    def picture_loaded(self, message_id: str, texture: Any | None,
                       unreadable: bool = False) -> None:
        """The router decoded the attachment (None: not received yet, or ``unreadable``)."""
        if self._message is None or self._message.id != message_id:
            return  # another message (or worker) meanwhile
        self.picture = texture
        if texture is not None:
            self._picture_state = "shown"
        else:
            self._picture_state = "broken" if unreadable else "missing"
        if self._picture_state == "missing":
            self._retry_picture()  # the sync downloads it meanwhile
        self.refresh()

    def _picture_again(self, *_: Any) -> None:
        message, manager = self._message, self.manager
        if (message is None or message.attachment_sha256 is None or self.router is None
                or self._picture_state != "missing" or manager is None
                or manager.current != self.name):
            return
        self.router.load_picture(message.id, message.attachment_sha256)

    def open_picture(self) -> None:
        if self.picture is not None and self.router is not None:
            self.router.open_picture(self.picture, self.body)

    @property
    def message(self) -> Message | None:
        return self._message

    # Acknowledgement ------------------------------------------------------------------------

    def leave(self, action: Callable[[], None]) -> None:
        """Back or Done: allowed once an asked acknowledgement is given."""
        if self.ack_pending:
            self.nag = True
            self.redraw()
            return
        action()

    def acknowledge(self) -> None:
        if self._message is None or not self.ack_pending or self.acking or self.router is None:
            return
        self.acking = True
        self.router.acknowledge(self._message.id)

    def acked(self, message_id: str, acked_at: datetime | None) -> None:
        self.acking = False
        if self._message is None or self._message.id != message_id or acked_at is None:
            return
        self._message = replace(self._message, acked_at=acked_at)
        self.nag = False
        self.redraw()

    # Replies --------------------------------------------------------------------------------

    def reply(self, text: str = "") -> None:
        if self._message is not None and self.can_reply and self.router is not None:
            self.router.compose_reply(self._message, text)

    def quick_reply(self, text: str) -> None:
        """One tap: sent at once (held in the outbox for the undo window)."""
        message = self._message
        if message is None or not self.can_reply or self.router is None or self._sending:
            return
        self._sending = True
        self._flash = ""

        def sent(message_id: str) -> None:
            self._sending = False
            if self._message is not None and self._message.id == message.id:
                self._show_undo(message_id, text)

        def refused(_exc: Exception) -> None:
            self._sending = False
            self._flash = tr._("Not sent")
            self.redraw()

        self.router.send_quick_reply(message, text, sent, refused)

    def _show_undo(self, message_id: str, text: str) -> None:
        self._undo_id = message_id
        self.undo_text = tr._("Sent: “{text}”").format(text=drawable(text))
        self._stop_undo_clock()
        started = time.monotonic()

        def step(_dt: float) -> bool:
            self.undo_left = max(0.0, 1 - (time.monotonic() - started) / QUICK_REPLY_UNDO_S)
            if self.undo_left <= 0:
                self._hide_undo()
                return False
            return True

        step(0)
        self._undo_clock = Clock.schedule_interval(step, 0.1)  # a few steps a second
        actions = self.ids.actions
        if self._undo_bar.parent is None:
            actions.parent.add_widget(self._undo_bar, index=actions.parent.children.index(actions))
            actions.parent.remove_widget(actions)

    def undo_quick_reply(self) -> None:
        message_id = self._undo_id
        if not message_id or self.router is None:
            return
        self._hide_undo()

        def done(withdrawn: bool) -> None:
            self._flash = tr._("Reply cancelled") if withdrawn else tr._(
                "Too late: the reply has left")
            self.redraw()

        self.router.undo_send(message_id, done)

    def _hide_undo(self) -> None:
        self._stop_undo_clock()
        self._undo_id, self.undo_text, self.undo_left = "", "", 0.0
        bar = self._undo_bar
        if bar.parent is not None:
            parent = bar.parent
            parent.add_widget(self.ids.actions.__self__, index=parent.children.index(bar))
            parent.remove_widget(bar)

    def _stop_undo_clock(self) -> None:
        if self._undo_clock is not None:
            self._undo_clock.cancel()
            self._undo_clock = None

    # Drawing --------------------------------------------------------------------------------

    def redraw(self) -> None:
        message = self._message
        session = self.router.station.session if self.router and self.router.station else None
        employee = session.employee if session else None
        self.name_text = (employee.first_name or employee.display_name) if employee else ""
        self._language = employee.language if employee else tr.lang
        self.picture_text = {
            "loading": tr._("Loading…"),
            "missing": tr._("The picture has not arrived yet"),
            "broken": tr._("This picture cannot be shown"),
        }.get(self._picture_state, "")
        self.thread_text = self._thread(message) if message is not None else ""
        if message is None:
            self.sender = self.when = self.body = self.ack_text = self.hint_text = ""
            self.ack_required = self.ack_pending = self.can_reply = False
            self._fill_quick_replies()
            return
        self.sender = drawable(message.sender_name)
        self.when = format_when(message.created_at, datetime.now(UTC), tr.lang)
        self.body = drawable(message.body)
        self.ack_required = message.ack_required
        self.ack_pending = message.ack_required and message.acked_at is None
        if not message.ack_required:
            self.ack_text = ""
        elif message.acked_at is None:
            self.ack_text = tr._("Acknowledgement required")
        else:
            self.ack_text = tr._("Acknowledged at {time}").format(
                time=format_clock(message.acked_at))
        self.can_reply = message.reply_allowed and message.sender_id is not None
        if self.nag:
            self.hint_text = tr._("Please confirm you have read this message before leaving.")
        elif self._flash:
            self.hint_text = self._flash
        elif not self.can_reply:
            self.hint_text = tr._("Replies are turned off for this message.")
        else:
            self.hint_text = ""
        self._fill_quick_replies()
        self.ids.scroller.scroll_y = 1
        if self.thread_text:
            Clock.schedule_once(self._show_message_end, 0)  # once laid out

    def _show_message_end(self, *_: Any) -> None:
        """With a conversation above it, the message itself is what must be in view."""
        scroller, content = self.ids.scroller, self.ids.thread_box
        # Only a box taller than the view scrolls: ScrollView overscrolls a short one away.
        scroller.scroll_y = 0 if content.height > scroller.height else 1

    @staticmethod
    def _thread(message: Message) -> str:
        now = datetime.now(UTC)
        parts = []
        for entry in message.earlier:
            name = tr._("You") if entry.mine else drawable(entry.sender_name)
            text = " ".join(drawable(entry.body).split()) or picture_word(entry.kind)
            when = format_when(entry.created_at, now, tr.lang)
            parts.append(f"[b]{escape_markup(name)}[/b]  {when}\n{escape_markup(text)}")
        return "\n\n".join(parts)

    def _fill_quick_replies(self) -> None:
        shown = self._message is not None and self.can_reply and not self.ack_pending
        fill_chips(self.ids.quick_row, self.quick_replies(self._language) if shown else [],
                   self.quick_reply)

    def clear(self) -> None:
        self._hide_undo()  # the reply leaves as planned: the worker did not take it back
        self._flash, self._sending = "", False
        self._message = None
        self.picture, self.has_picture, self._picture_state = None, False, ""
        self._retry_picture.cancel()
        self.is_loading = False
        self.nag = self.acking = False
        self.redraw()
        self.name_text = ""
