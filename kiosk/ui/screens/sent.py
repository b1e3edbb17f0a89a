"""Sent: the worker's own messages, newest first, and how far each got.

"Pending" while the terminal still holds it (offline, or not pushed yet),
"Awaiting approval" once the server has it and HR moderates this worker or
group, "Delivered" when it went through, "Rejected: reason" when HR (or the
server) refused it.  The core computes the status (``MessageStore.sent``); this
screen only words and colours it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.domain.models import SendStatus, SentMessage
from kiosk.domain.session import Session
from kiosk.i18n import format_when
from kiosk.ui.i18n import recipients_line, tr, with_picture_word
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets import clipping  # noqa: F401  (ScissorRecycleView, ScissorScrollView in the .kv)
from kiosk.ui.widgets.glyphs import drawable

PREVIEW_CHARS = 90


class SentRow(BoxLayout):
    preview = StringProperty("")
    when = StringProperty("")
    status_text = StringProperty("")
    status_level = StringProperty("info")  # "info", "warn", "ok" or "error"
    reason = StringProperty("")  # why it was rejected, beside the pill
    to_text = StringProperty("")  # "To: Jordan Smith", "To: Amélie +2"


def status_words(message: SentMessage) -> tuple[str, str, str]:
    """(pill text, level, reason) of a sent message's status, in the current language."""
    if message.status is SendStatus.SENDING:
        return tr._("Pending"), "info", ""
    if message.status is SendStatus.PENDING:
        return tr._("Awaiting approval"), "warn", ""
    if message.status is SendStatus.APPROVED:
        return tr._("Delivered"), "ok", ""
    reason = " ".join(message.reason.split())
    return (tr._("Rejected:") if reason else tr._("Rejected")), "error", drawable(reason)


def preview_of(message: SentMessage) -> str:
    text = drawable(with_picture_word(message.kind, " ".join(message.body.split())))
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _to_line(message: SentMessage) -> str:
    names = message.recipients
    # People come before groups: the first name is a person's if any person was named.
    person = bool(names) and len(names) > message.group_count
    return recipients_line(drawable(names[0]), len(names), person) if names else ""


class SentScreen(KioskScreen):
    name_text = StringProperty("")
    state = StringProperty("empty")  # "loading", "list" or "empty"
    rows = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items: list[SentMessage] | None = None
        self._name = ""

    def loading(self, session: Session) -> None:
        self._name = session.employee.first_name or session.employee.display_name
        self._items = None
        self.redraw()

    def show(self, items: list[SentMessage]) -> None:
        self._items = list(items)
        self.refresh()

    def redraw(self) -> None:
        self.name_text = self._name
        if self._items is None:
            self.state = "loading" if self._name else "empty"
            self.rows = []
            return
        self.state = "list" if self._items else "empty"
        now = datetime.now(UTC)
        rows = []
        for item in self._items:
            text, level, reason = status_words(item)
            rows.append({"preview": preview_of(item),
                         "when": format_when(item.created_at, now, tr.lang),
                         "status_text": text, "status_level": level, "reason": reason,
                         "to_text": _to_line(item)})
        self.rows = rows

    def clear(self) -> None:
        self._items = None
        self._name = ""
        self.redraw()
        self.ids.list_view.refresh_from_data()
