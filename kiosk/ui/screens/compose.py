"""Compose: write to someone of the contact list (or answer a message) with the on-screen keyboard.

Two panels share the lower part of the screen: the picker (quick replies, the
Photo and Drawing buttons, then the contacts and groups the worker may write to,
as big chips) and the keyboard.  A photo or drawing rides with the draft (the
text is then its optional caption), shown as a thumbnail beside it.  The draft
lives here only; ``clear`` (the session ended) wipes it.  Sending goes through
the router to the station; the core checks the contact list again before
anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.domain.models import (
    Attachment,
    Contact,
    DrawingAttachment,
    Message,
    PhotoAttachment,
    SendRefused,
)
from kiosk.domain.session import Session
from kiosk.ui.i18n import recipients_line, tr
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets import clipping  # noqa: F401  (ScissorRecycleView, ScissorScrollView in the .kv)
from kiosk.ui.widgets.common import TouchTarget, fill_chips
from kiosk.ui.widgets.glyphs import drawable
from kiosk.ui.widgets.keyboard import default_layout
from kiosk.ui.widgets.pictures import load_drawing_texture, load_texture

# The terminal's own limit, well below the wire's 4000: a wall screen is no place
# for essays, and the draft must stay quick to draw on a small board.
DRAFT_LIMIT = 500
SENT_SHOWN_S = 1.2  # "Sent — pending" stays this long before the inbox comes back
THUMB_SIZE = (240, 160)  # the attachment's thumbnail, beside the draft


class ContactChip(TouchTarget, ButtonBehavior, BoxLayout):
    """A person or group to write to; a tap selects or unselects it."""

    text = StringProperty("")
    kind = StringProperty("employee")
    selected = BooleanProperty(False)
    key = StringProperty("")  # "employee:3" / "group:1"


class ComposeScreen(KioskScreen):
    name_text = StringProperty("")
    title_text = StringProperty("")
    to_text = StringProperty("")
    to_count = NumericProperty(0)
    draft = StringProperty("")
    counter_text = StringProperty("")
    notice_text = StringProperty("")
    notice_level = OptionProperty("info", options=("info", "ok", "warn", "error"))
    panel = OptionProperty("pick", options=("pick", "keys"))
    can_send = BooleanProperty(False)
    busy = BooleanProperty(False)  # sending, or just sent: no second tap on Send
    attachment_kind = StringProperty("")  # "", "photo" or "drawing"
    attachment_texture = ObjectProperty(None, allownone=True)  # its thumbnail, once decoded

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._contacts: list[Contact] = []
        self._selected: set[str] = set()
        self._reply: Message | None = None
        self._attachment: Attachment | None = None
        self._language = "en"
        self._after_sent = Clock.create_trigger(self._sent_shown, SENT_SHOWN_S)
        self.counter_text = f"0/{DRAFT_LIMIT}"
        # Strong references: ``ids`` holds weak proxies, and parts not shown leave the tree.
        self._parts = {name: self.ids[name].__self__ for name in (
            "header", "picker", "draft_row", "keyboard", "attachment_thumb", "photo_button",
            "drawing_button", "remove_attachment_button")}
        for name in ("attachment_thumb", "photo_button", "drawing_button",
                     "remove_attachment_button"):
            self.remove_widget(self._parts[name])
        self.on_panel()
        self.on_attachment_kind()

    # Set up by the router -------------------------------------------------------------------

    def start(self, session: Session, reply: Message | None = None, text: str = "") -> None:
        """A fresh draft for ``session``'s worker (an answer to ``reply`` if given)."""
        self.clear()
        employee = session.employee
        self.name_text = employee.first_name or employee.display_name
        self._language = employee.language
        self._reply = reply
        if reply is not None and reply.sender_id is not None:
            self._contacts = [Contact("employee", reply.sender_id, reply.sender_name)]
            self._selected = {f"employee:{reply.sender_id}"}
        self.ids.keyboard.layout = default_layout(employee.language)
        self.ids.keyboard.page = "letters"  # not the page the previous worker left
        self.set_text(text)
        self.panel = "keys" if reply is not None and not text else "pick"
        self.refresh()

    def contacts_loaded(self, contacts: list[Contact]) -> None:
        known = {f"{c.kind}:{c.id}" for c in contacts}
        # The sender answered stays first even when HR did not list them as a contact.
        extra = [c for c in self._contacts if f"{c.kind}:{c.id}" not in known]
        self._contacts = extra + list(contacts)
        self.refresh()

    # Editing --------------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Replace the draft (a quick reply, a paste): cut to the limit, never refused."""
        if len(text) > DRAFT_LIMIT:
            text = text[:DRAFT_LIMIT]
            self._notice(tr._("Cut to {n} characters").format(n=DRAFT_LIMIT), "warn")
        else:
            self._notice("", "info")
        self.draft = text
        self.ids.keyboard.shift = not text  # a capital to start with

    def type_text(self, chars: str) -> None:
        room = DRAFT_LIMIT - len(self.draft)
        if room <= 0:
            self._notice(tr._("{n} characters at most").format(n=DRAFT_LIMIT), "warn")
            return
        self.draft += chars[:room]
        if self.notice_level != "warn":
            self._notice("", "info")

    def backspace(self) -> None:
        self.draft = self.draft[:-1]
        self._notice("", "info")
        if not self.draft:
            self.ids.keyboard.shift = True

    def attach(self, attachment: Attachment | None) -> None:
        """A photo or drawing to send with the draft (None: take it away)."""
        self._attachment = attachment
        self.attachment_texture = None
        if isinstance(attachment, PhotoAttachment):
            self.attachment_kind = "photo"
            load_texture(attachment.data, THUMB_SIZE, self._thumb_ready(attachment))
        elif isinstance(attachment, DrawingAttachment):
            self.attachment_kind = "drawing"
            load_drawing_texture(attachment.drawing, attachment.background, THUMB_SIZE,
                                 self._thumb_ready(attachment))
        else:
            self.attachment_kind = ""
        self.panel = "pick"  # back from the camera or the canvas: recipients and Send in view
        self._update_can_send()

    def _thumb_ready(self, attachment: Attachment) -> Callable[[Any], None]:
        def ready(texture: Any) -> None:
            if self._attachment is attachment:  # not replaced, not wiped by a session end
                self.attachment_texture = texture
        return ready

    def take_photo(self) -> None:
        if self.router is not None and hasattr(self.router, "open_camera"):
            self.router.open_camera()

    def make_drawing(self) -> None:
        if self.router is not None and hasattr(self.router, "open_drawing"):
            self.router.open_drawing(None)

    def quick_reply(self, text: str) -> None:
        self.set_text(text)

    def toggle(self, key: str) -> None:
        self._selected ^= {key}
        self.refresh()

    def show_panel(self, panel: str) -> None:
        self.panel = panel

    def on_panel(self, *_: Any) -> None:
        """Who then what (the picker above the draft), or the draft above the keyboard."""
        main = self.ids.main
        main.clear_widgets()
        order = ("picker", "draft_row") if self.panel == "pick" else ("draft_row", "keyboard")
        for name in ("header", *order):
            main.add_widget(self._parts[name])

    def on_attachment_kind(self, *_: Any) -> None:
        """Photo and Drawing, or the picture's Remove; its thumbnail beside the draft."""
        box, row, thumb = self.ids.attach_box, self.ids.draft_row, self._parts["attachment_thumb"]
        box.clear_widgets()
        names = ("remove_attachment_button",) if self.attachment_kind else (
            "photo_button", "drawing_button")
        for name in names:
            box.add_widget(self._parts[name])
        if thumb.parent is not None:
            thumb.parent.remove_widget(thumb)
        if self.attachment_kind:  # right after the panel switch
            row.add_widget(thumb, index=len(row.children) - 1)

    def on_draft(self, *_: Any) -> None:
        self.counter_text = f"{len(self.draft)}/{DRAFT_LIMIT}"
        self._update_can_send()
        Clock.schedule_once(self._show_draft_end, 0)  # once the label has its new height

    def _show_draft_end(self, *_: Any) -> None:
        scroller, label = self.ids.draft_scroller, self.ids.draft_label
        # Only scroll a draft taller than the box: ScrollView overscrolls a short one away.
        scroller.scroll_y = 0 if label.height > scroller.height else 1

    # Sending --------------------------------------------------------------------------------

    def recipients(self) -> tuple[list[int], list[int]]:
        employees = sorted(int(k.split(":")[1]) for k in self._selected if k[0] == "e")
        groups = sorted(int(k.split(":")[1]) for k in self._selected if k[0] == "g")
        return employees, groups

    def send(self) -> None:
        if not self.can_send or self.router is None:
            return
        self.busy = True
        self._notice(tr._("Sending…"), "info")
        employees, groups = self.recipients()
        reply_to = self._reply.id if self._reply is not None else None
        self.router.send_message(employees, groups, self.draft, reply_to, self._attachment)

    def sent(self, _message_id: str) -> None:
        self.draft = ""
        self._selected = set()
        self.attach(None)
        self._notice(tr._("Sent — pending"), "ok")
        self.refresh()
        self._after_sent()

    def refused(self, exc: SendRefused) -> None:
        self.busy = False
        self._notice(_REFUSALS.get(exc.code, lambda: tr._("Not sent"))(), "error")
        self._update_can_send()

    def _sent_shown(self, *_: Any) -> None:
        manager = self.manager
        if self.router is not None and manager is not None and manager.current == self.name:
            self.router.open_inbox()

    # Drawing --------------------------------------------------------------------------------

    def redraw(self) -> None:
        self.title_text = tr._("Reply") if self._reply is not None else tr._("Write")
        chosen = [c for c in self._contacts if f"{c.kind}:{c.id}" in self._selected]
        names = [c.name for c in chosen]
        self.to_text = recipients_line(drawable(chosen[0].name), len(chosen),
                                       chosen[0].kind == "employee") if chosen else ""
        self.to_count = len(names)
        self._update_can_send()
        self._fill_quick_replies()
        self._fill_contacts()

    def _fill_quick_replies(self) -> None:
        texts = self.quick_replies(self._language) if self.name_text else []
        fill_chips(self.ids.quick_row, texts, self.quick_reply)

    def _fill_contacts(self) -> None:
        grid = self.ids.contact_grid
        grid.clear_widgets()
        for contact in self._contacts:
            key = f"{contact.kind}:{contact.id}"
            chip = ContactChip(text=drawable(contact.name), kind=contact.kind, key=key,
                               selected=key in self._selected)
            chip.bind(on_release=lambda c: self.toggle(c.key))
            grid.add_widget(chip)

    def _update_can_send(self) -> None:
        content = bool(self.draft.strip()) or self._attachment is not None
        self.can_send = content and bool(self._selected) and not self.busy

    def _notice(self, text: str, level: str) -> None:
        self.notice_text, self.notice_level = text, level

    def clear(self) -> None:
        self._after_sent.cancel()
        self._contacts, self._selected, self._reply = [], set(), None
        self._attachment, self.attachment_kind, self.attachment_texture = None, "", None
        self.busy = False
        self.name_text = ""
        self.draft = ""
        self._notice("", "info")
        self.redraw()


_REFUSALS: dict[str, Callable[[], str]] = {
    "empty_body": lambda: tr._("Write a message first"),
    "no_recipients": lambda: tr._("Choose who to write to"),
    "not_in_contact_list": lambda: tr._("You may not write to this person"),
    "group_post_not_allowed": lambda: tr._("You may not post to this group"),
    "too_long": lambda: tr._("This message is too long"),
    "unknown_message": lambda: tr._("This message can no longer be answered"),
    "drawing_too_big": lambda: tr._("This drawing is too big to send"),
    "bad_photo": lambda: tr._("This picture cannot be sent"),
    "bad_attachment": lambda: tr._("This picture cannot be sent"),
    "photo_too_big": lambda: tr._("This picture is too big"),
    "bad_drawing": lambda: tr._("This drawing cannot be sent"),
    "empty_drawing": lambda: tr._("Draw something first"),
    "reply_not_allowed": lambda: tr._("This message takes no replies"),
}
