"""Acknowledging, replying and writing in the real app at 800x480, with taps on the real widgets.

The demo company: the French worker (Camille, 1) has an HR announcement to
acknowledge (no replies) and a question from Jordan (2); she may write to her
line but not to Priya (6) nor to the logistics group (2).
"""

from __future__ import annotations

import json
import time
from typing import Any

from kiosk.demo.company import demo_message_id

SESSION_TIMEOUT_S = 5  # as in conftest
ANNOUNCEMENT, QUESTION, EN_ANNOUNCEMENT = demo_message_id(1), demo_message_id(5), demo_message_id(3)


class Taps:
    """Counts the worker's taps (a badge is not a tap)."""

    def __init__(self, app: Any) -> None:
        self.app, self.count = app, 0

    def __call__(self, widget: Any) -> None:
        self.count += 1
        self.app.tap(widget)


def _db_rows(app: Any, sql: str, args: tuple = ()) -> list[tuple]:
    from kiosk.storage import open_database

    db = open_database(app.shell.runtime.config.database_path)  # a second connection
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.conn.close()


def _outbox(app: Any, kind: str) -> list[dict]:
    rows = _db_rows(app, "SELECT id, seq, kind, payload FROM outbox WHERE kind = ? ORDER BY seq",
                    (kind,))
    return [{"id": r[0], "seq": r[1], "kind": r[2], "payload": json.loads(r[3])} for r in rows]


def _welcome(app: Any, badge: str) -> Any:
    app.present(badge)
    app.wait_for_screen("welcome")
    return app.screen("welcome")


def _row(app: Any, message_id: str) -> Any:
    from kiosk.ui.screens.inbox import InboxRow
    from kiosk.ui.tooling.harness import walk

    inbox = app.screen("inbox")
    app.wait_until(lambda: inbox.state == "list", 5, "the inbox")
    app.pump(0.1)  # the RecycleView lays out its rows
    return next(w for w in walk(inbox.ids.list_view)
                if isinstance(w, InboxRow) and w.message_id == message_id)


def _open(app: Any, badge: str, message_id: str) -> Any:
    _welcome(app, badge)
    app.router.open_inbox()
    app.tap(_row(app, message_id))
    message = app.screen("message")
    app.wait_until(lambda: message.message is not None and message.message.id == message_id,
                   5, "the message")
    return message


def test_an_announcement_must_be_acknowledged_before_leaving(app, demo_badges):
    from server.protocol import validate_item

    message = _open(app, demo_badges["fr"], ANNOUNCEMENT)
    assert message.ack_pending and message.ids.ack_button.text == "J'ai lu et compris"
    assert message.ids.reply_button.disabled  # HR's announcement takes no replies
    assert message.hint_text == "Les réponses sont désactivées pour ce message."
    for button in (message.ids.header.ids.back_button, message.ids.header.ids.done_button):
        app.tap(button)
        assert app.router.current == "message" and message.nag
        assert message.ids.ack_button.style == "warn"
        assert message.hint_text == "Confirmez avoir lu ce message avant de le quitter."
    assert _outbox(app, "ack") == []
    app.tap(message.ids.ack_button)
    app.wait_until(lambda: not message.ack_pending, 5, "the acknowledgement")
    assert not message.nag and message.ids.ack_pill.text.startswith("Lu et compris à ")
    [ack] = _outbox(app, "ack")
    assert ack["payload"]["message_id"] == ANNOUNCEMENT and ack["payload"]["employee_id"] == 1
    validate_item(ack)
    app.tap(message.ids.header.ids.back_button)
    app.wait_for_screen("inbox")


def test_the_session_timeout_still_ends_a_message_left_unacknowledged(app, demo_badges):
    message = _open(app, demo_badges["en"], EN_ANNOUNCEMENT)
    app.tap(message.ids.header.ids.done_button)
    assert app.router.current == "message" and message.hint_text.startswith("Please confirm")
    app.wait_for_screen("idle", timeout=SESSION_TIMEOUT_S + 3)  # privacy first
    assert message.body == "" and not message.nag
    assert _db_rows(app, "SELECT acked_at FROM message_recipients WHERE message_id = ? "
                         "AND employee_id = 2", (EN_ANNOUNCEMENT,)) == [(None,)]
    assert not [a for a in _outbox(app, "ack") if a["payload"]["message_id"] == EN_ANNOUNCEMENT]


def _quick_reply(app: Any, badge: str, text: str) -> tuple[Any, Taps]:
    """From badge-in: Messages, Jordan's question, then the quick reply ``text``."""
    tap = Taps(app)
    welcome = _welcome(app, badge)
    tap(welcome.ids.messages_button)  # 1
    tap(_row(app, QUESTION))  # 2
    message = app.screen("message")
    app.wait_until(lambda: len(message.ids.quick_row.children) >= 3, 5, "the quick replies")
    app.pump(0.2)  # the new chips are laid out (a finger is never that quick)
    chips = {chip.text: chip for chip in message.ids.quick_row.children}
    # The chips that fit beside Reply at 800x480, in order (the fourth one does not).
    assert set(chips) == {"OK", "Merci", "J'arrive"}
    tap(chips[text])  # 3: sent at once
    app.wait_until(lambda: bool(message.undo_text), 5, "the undo bar")
    return message, tap


def test_a_quick_reply_is_sent_in_three_taps_from_badge_in(app, demo_badges):
    from server.protocol import validate_item

    before = len(_outbox(app, "message"))
    message, tap = _quick_reply(app, demo_badges["fr"], "Merci")
    assert tap.count == 3 and app.router.current == "message"
    assert message.undo_text == "Envoyé : « Merci »"
    items = _outbox(app, "message")
    assert len(items) == before + 1
    payload = items[-1]["payload"]
    assert (payload["body"], payload["to_employees"], payload["reply_to"]) == (
        "Merci", [2], QUESTION)
    validate_item(items[-1])
    held = _db_rows(app, "SELECT not_before FROM outbox WHERE id = ?", (items[-1]["id"],))
    assert held[0][0] is not None  # the sync leaves it alone during the undo window


def test_undo_takes_a_quick_reply_back_before_it_leaves(app, demo_badges):
    before = len(_outbox(app, "message"))
    message, tap = _quick_reply(app, demo_badges["fr"], "OK")
    tap(message.ids.undo_button)
    app.wait_until(lambda: message.hint_text == "Réponse annulée", 5, "the undo")
    assert len(_outbox(app, "message")) == before and not message.undo_text


def _compose_new(app: Any, badge: str) -> Any:
    _welcome(app, badge)
    app.router.open_inbox()
    inbox = app.screen("inbox")
    app.wait_until(lambda: inbox.state == "list", 5, "the inbox")
    app.tap(inbox.ids.write_button)
    compose = app.screen("compose")
    app.wait_until(lambda: len(compose.ids.contact_grid.children) > 1, 5, "the contacts")
    app.pump(0.2)  # the new chips are laid out
    return compose


def _chip(compose: Any, name: str) -> Any:
    return next(c for c in compose.ids.contact_grid.children if c.text == name)


def test_the_keyboard_types_accents_shift_pages_and_switches_layout(app, demo_badges):
    compose = _compose_new(app, demo_badges["fr"])
    app.tap(_chip(compose, "Jordan Smith"))
    assert compose.to_text == "À : Jordan Smith" and not compose.can_send
    app.tap(compose.ids.panel_button)
    keyboard = compose.ids.keyboard
    assert compose.panel == "keys" and keyboard.layout == "azerty"  # a French worker
    assert [k.text.lower() for k in keyboard.children[3].children[::-1]][:3] == ["a", "z", "e"]
    for value in ("ç", "a", "{space}", "v", "a", "{space}", "{page}", "«", "{page}", "é",
                  "{page}", "»", "{page}"):
        app.tap(keyboard.key_for(value))
    # A capital to start with, accents in one tap (French quotes on the ?123 page).
    assert compose.draft == "Ça va «é»"
    app.tap(keyboard.key_for("{backspace}"))
    app.tap(keyboard.key_for("{shift}"))
    app.tap(keyboard.key_for("œ"))
    assert compose.draft == "Ça va «éŒ"
    app.tap(keyboard.key_for("{layout}"))
    assert keyboard.layout == "qwerty"
    assert [k.text.lower() for k in keyboard.children[3].children[::-1]][:3] == ["q", "w", "e"]
    app.tap(keyboard.key_for("{page}"))
    app.tap(keyboard.key_for("4"))
    app.tap(keyboard.key_for("?"))
    app.tap(keyboard.key_for("{enter}"))
    assert compose.draft == "Ça va «éŒ4?\n" and compose.counter_text == "12/500"
    assert compose.can_send


def test_recipients_are_only_the_contact_list(app, demo_badges):
    from kiosk.domain.directory import Directory
    from kiosk.storage import open_database

    compose = _compose_new(app, demo_badges["fr"])
    shown = {c.text for c in compose.ids.contact_grid.children}
    db = open_database(app.shell.runtime.config.database_path)
    try:
        allowed = {c.name for c in Directory(db).contacts_of(1)}
    finally:
        db.conn.close()
    assert shown == allowed and "Priya Patel" not in shown
    assert "Logistique / Logistics" not in shown and "Ligne 1 / Line 1" in shown
    before = len(_outbox(app, "message"))
    compose.set_text("Bonjour")
    app.router.send_message([6], [], "Bonjour", None)  # as if a stale list offered Priya
    app.wait_until(lambda: compose.notice_level == "error", 5, "the refusal")
    assert compose.notice_text == "Vous ne pouvez pas écrire à cette personne"
    assert compose.draft == "Bonjour" and len(_outbox(app, "message")) == before


def test_the_counter_and_a_huge_paste_are_cut_to_the_limit(app, demo_badges):
    compose = _compose_new(app, demo_badges["en"])
    app.tap(compose.ids.panel_button)
    app.tap(compose.ids.keyboard.key_for("o"))
    app.tap(compose.ids.keyboard.key_for("k"))
    assert compose.counter_text == "2/500"
    started = time.monotonic()
    compose.set_text("x" * 10_000)
    app.pump(0.05)  # a frame with the long draft drawn
    assert time.monotonic() - started < 1.5  # never a freeze
    assert len(compose.draft) == 500 and compose.counter_text == "500/500"
    assert compose.notice_text == "Cut to 500 characters"
    app.tap(compose.ids.keyboard.key_for("a"))
    assert len(compose.draft) == 500 and compose.notice_text == "500 characters at most"


def test_the_draft_is_wiped_when_the_session_ends(app, demo_badges, texts):
    compose = _compose_new(app, demo_badges["fr"])
    app.tap(_chip(compose, "Sophie Lefèvre"))
    compose.set_text("Brouillon secret")
    app.tap(compose.ids.header.ids.done_button)
    app.wait_for_screen("idle")
    assert compose.draft == "" and compose.to_text == ""
    assert compose.ids.contact_grid.children == []
    assert not [t for t in texts(app) if "Brouillon" in t or "Sophie" in t]
