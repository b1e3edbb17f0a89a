"""Inbox: the worker's messages, newest first, unread ones marked (a RecycleView)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kivy.properties import (
    BooleanProperty,
    ListProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview.views import RecycleDataViewBehavior

from kiosk.i18n import format_when
from kiosk.models import MessageSummary
from kiosk.session import Session
from ui.glyphs import drawable
from ui.i18n import tr
from ui.screens.base import KioskScreen


class InboxRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    message_id = StringProperty("")
    sender = StringProperty("")
    when = StringProperty("")
    preview = StringProperty("")
    unread = BooleanProperty(False)
    ack_text = StringProperty("")  # "" when no acknowledgement is asked
    opener = ObjectProperty(None, allownone=True)

    def on_release(self) -> None:
        if self.opener is not None and self.message_id:
            self.opener(self.message_id)


class InboxScreen(KioskScreen):
    name_text = StringProperty("")
    state = StringProperty("empty")  # "loading", "list" or "empty"
    unread_text = StringProperty("")
    rows = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items: list[MessageSummary] | None = None
        self._name = ""

    def loading(self, session: Session) -> None:
        self._name = session.employee.first_name or session.employee.display_name  # short
        self._items = None
        self.redraw()

    def show(self, items: list[MessageSummary]) -> None:
        self._items = list(items)
        self.redraw()

    def mark_read(self, message_id: str) -> None:
        if self._items is None:
            return
        self._items = [
            replace(item, unread=False) if item.id == message_id else item
            for item in self._items
        ]
        self.refresh()

    def redraw(self) -> None:
        self.name_text = self._name
        items = self._items
        if items is None:
            self.state = "loading" if self._name else "empty"
            self.rows = []
            self.unread_text = ""
            return
        self.state = "list" if items else "empty"
        unread = sum(1 for item in items if item.unread)
        self.unread_text = (
            tr.ngettext("{n} unread", "{n} unread", unread).format(n=unread) if unread else ""
        )
        self.rows = [self._row(item, self._open) for item in items]

    def _row(self, item: MessageSummary, opener: Callable[[str], None]) -> dict[str, Any]:
        return {
            "message_id": item.id,
            "sender": drawable(item.sender_name),
            "when": format_when(item.created_at, datetime.now(UTC), tr.lang),
            "preview": drawable(item.preview),
            "unread": item.unread,
            "ack_text": tr._("To acknowledge") if item.ack_required else "",
            "opener": opener,
        }

    def _open(self, message_id: str) -> None:
        if self.router is not None:
            self.router.open_message(message_id)

    def clear(self) -> None:
        self._items = None
        self._name = ""
        self.redraw()
        self.ids.list_view.refresh_from_data()
