"""Inbox: the worker's messages, newest first, unread ones marked (a RecycleView, a page of
INBOX_PAGE at a time: scrolling to the end of the list loads the older ones)."""

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

from kiosk.domain.models import INBOX_PAGE, MessageSummary
from kiosk.domain.session import Session
from kiosk.i18n import format_when
from kiosk.ui.i18n import tr, with_picture_word
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets import clipping  # noqa: F401  (ScissorRecycleView, ScissorScrollView in the .kv)
from kiosk.ui.widgets.common import TouchTarget
from kiosk.ui.widgets.glyphs import drawable


class InboxRow(RecycleDataViewBehavior, TouchTarget, ButtonBehavior, BoxLayout):
    message_id = StringProperty("")
    sender = StringProperty("")
    when = StringProperty("")
    preview = StringProperty("")
    unread = BooleanProperty(False)
    ack_text = StringProperty("")  # "" when no acknowledgement is asked
    group = StringProperty("")  # the group of a group conversation
    kind_text = StringProperty("")  # "Announcement" (no replies), else ""
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
        self._more = False  # the last page was full: older messages may follow
        self._asked_older = False  # a page of older messages is on its way
        self._unread_total: int | None = None  # all pages (the core counts), once known

    def loading(self, session: Session) -> None:
        self._name = session.employee.first_name or session.employee.display_name  # short
        self._items = None
        self._unread_total = None
        self._more = self._asked_older = False
        self.redraw()

    def unread_counted(self, count: int) -> None:
        """Unread messages on every page, not only the loaded ones."""
        self._unread_total = count
        if self._items is not None:
            self._redraw_counts()

    def show(self, items: list[MessageSummary]) -> None:
        self._items = list(items)
        self._more, self._asked_older = len(items) >= INBOX_PAGE, False
        self.redraw()

    def scrolled(self, scroll_y: float) -> None:
        """The list moved: at its end, ask for the next page of older messages."""
        if scroll_y > 0 or not self._more or self._asked_older or not self._items:
            return
        if self.router is not None:
            self._asked_older = True
            self.router.load_older_messages(self._items[-1])

    def show_older(self, items: list[MessageSummary], before: MessageSummary) -> None:
        """The page older than ``before``, appended below the rows already loaded."""
        if not self._asked_older or not self._items or self._items[-1].id != before.id:
            return  # the inbox was reloaded meanwhile
        self._more, self._asked_older = len(items) >= INBOX_PAGE, False
        if not items:
            return
        view = self.ids.list_view
        # Keep the rows on screen where they are: the list grows below them.
        above = (1 - view.scroll_y) * max(0.0, view.layout_manager.height - view.height)
        self._items.extend(items)
        self._redraw_counts()
        now = datetime.now(UTC)
        self.rows.extend(self._row(item, self._open, now) for item in items)

        def keep_place(manager: Any, height: float) -> None:
            manager.unbind(height=keep_place)
            scrollable = height - view.height
            view.scroll_y = 1 - above / scrollable if scrollable > 0 else 1

        view.layout_manager.bind(height=keep_place)

    def mark_read(self, message_id: str) -> None:
        if self._items is None:
            return
        was_unread = any(item.unread for item in self._items if item.id == message_id)
        if was_unread and self._unread_total:
            self._unread_total -= 1
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
        self._redraw_counts()
        now = datetime.now(UTC)
        self.rows = [self._row(item, self._open, now) for item in items]

    def _redraw_counts(self) -> None:
        unread = self._unread_total
        if unread is None:
            unread = sum(1 for item in self._items or () if item.unread)
        self.unread_text = (
            tr.ngettext("{n} unread", "{n} unread", unread).format(n=unread) if unread else ""
        )

    def _row(
        self, item: MessageSummary, opener: Callable[[str], None], now: datetime
    ) -> dict[str, Any]:
        return {
            "message_id": item.id,
            "sender": drawable(item.sender_name),
            "when": format_when(item.created_at, now, tr.lang),
            "preview": drawable(with_picture_word(item.kind, item.preview)),
            "unread": item.unread,
            "ack_text": tr._("To acknowledge") if item.to_acknowledge else "",
            "group": drawable(item.group_name or ""),
            "kind_text": "" if item.reply_allowed else tr._("Announcement"),
            "opener": opener,
        }

    def _open(self, message_id: str) -> None:
        if self.router is not None:
            self.router.open_message(message_id)

    def clear(self) -> None:
        self._items = None
        self._unread_total = None
        self._name = ""
        self._more = self._asked_older = False
        self.redraw()
        self.ids.list_view.refresh_from_data()
