"""Message: one message in full (text messages for now), marked read by the core on opening."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import format_when
from kiosk.models import Message
from ui.glyphs import drawable
from ui.i18n import tr
from ui.screens.base import KioskScreen


class MessageScreen(KioskScreen):
    name_text = StringProperty("")  # the worker, in the header
    sender = StringProperty("")
    when = StringProperty("")
    body = StringProperty("")
    ack_required = BooleanProperty(False)
    ack_text = StringProperty("")
    is_loading = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._message: Message | None = None

    def loading(self) -> None:
        self._message = None
        self.is_loading = True
        self.redraw()

    def show(self, message: Message) -> None:
        self._message = message
        self.is_loading = False
        self.redraw()

    def redraw(self) -> None:
        message = self._message
        session = self.router.station.session if self.router and self.router.station else None
        employee = session.employee if session else None
        self.name_text = (employee.first_name or employee.display_name) if employee else ""
        if message is None:
            self.sender = self.when = self.body = self.ack_text = ""
            self.ack_required = False
            return
        self.sender = drawable(message.sender_name)
        self.when = format_when(message.created_at, datetime.now(UTC), tr.lang)
        self.body = drawable(message.body)
        self.ack_required = message.ack_required
        self.ack_text = tr._("Acknowledgement required") if message.ack_required else ""
        self.ids.scroller.scroll_y = 1

    def clear(self) -> None:
        self._message = None
        self.is_loading = False
        self.redraw()
        self.name_text = ""
