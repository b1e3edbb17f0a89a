"""The worker's sent messages, as they see them: pending, awaiting approval, delivered, rejected.

The core computes each status (outbox row still queued: pending; pushed and
moderated: awaiting approval; the pull's verdict otherwise); these tests change
the real database the way the sync worker does and look at the Sent screen.
"""

from __future__ import annotations

from typing import Any

from kiosk.storage import open_database


def _sql(app: Any, sql: str, args: tuple = ()) -> None:
    db = open_database(app.shell.runtime.config.database_path)  # a second connection
    try:
        with db.conn:
            db.execute(sql, args)
    finally:
        db.conn.close()


def _send(app: Any, badge: str, body: str) -> str:
    """Queue ``body`` to Sophie (8, the manager) from compose; the new message's id."""
    app.present(badge)
    app.wait_for_screen("welcome")
    compose = app.screen("compose")
    app.router.compose_new()
    compose.set_text(body)
    app.router.send_message([8], [], body, None)
    app.wait_until(lambda: compose.notice_level == "ok", 5, "the message queued")
    db = open_database(app.shell.runtime.config.database_path)
    try:
        return db.execute("SELECT id FROM messages WHERE body = ? ORDER BY created_at DESC",
                          (body,)).fetchone()[0]
    finally:
        db.conn.close()


def _sent_rows(app: Any) -> list[dict]:
    app.router.open_sent()
    sent = app.screen("sent")
    app.wait_until(lambda: sent.state == "list", 5, "the sent messages")
    return sent.rows


def test_a_message_still_on_the_terminal_is_pending(app, demo_badges):
    _send(app, demo_badges["fr"], "Pièce 42 manquante")
    [row, *_] = _sent_rows(app)
    assert row["preview"] == "Pièce 42 manquante"
    assert (row["status_text"], row["status_level"], row["reason"]) == ("En attente", "info", "")


def test_a_moderated_message_the_server_has_awaits_approval(app, demo_badges):
    message_id = _send(app, demo_badges["fr"], "Demande de congé")
    _sql(app, "UPDATE outbox SET state = 'sent' WHERE id = ?", (message_id,))
    _sql(app, "UPDATE messages SET status = 'pending' WHERE id = ?", (message_id,))
    [row, *_] = _sent_rows(app)
    assert (row["status_text"], row["status_level"]) == ("En attente de validation", "warn")


def test_a_rejected_message_says_why(app, demo_badges):
    message_id = _send(app, demo_badges["en"], "Party tonight!")
    _sql(app, "UPDATE outbox SET state = 'sent' WHERE id = ?", (message_id,))
    _sql(app, "UPDATE messages SET status = 'rejected', reject_reason = ? WHERE id = ?",
         ("Off topic for this channel", message_id))
    [row, *_] = _sent_rows(app)
    assert (row["status_text"], row["status_level"]) == ("Rejected:", "error")
    assert row["reason"] == "Off topic for this channel"


def test_an_approved_message_is_delivered(app, demo_badges):
    message_id = _send(app, demo_badges["en"], "Dock 3 is clear")
    _sql(app, "UPDATE outbox SET state = 'sent' WHERE id = ?", (message_id,))
    _sql(app, "UPDATE messages SET status = 'approved' WHERE id = ?", (message_id,))
    [row, *_] = _sent_rows(app)
    assert (row["status_text"], row["status_level"]) == ("Delivered", "ok")


def test_the_sent_list_is_wiped_when_the_session_ends(app, demo_badges):
    _send(app, demo_badges["fr"], "Vu")
    assert _sent_rows(app)
    app.router.done()
    app.wait_for_screen("idle")
    sent = app.screen("sent")
    assert sent.rows == [] and sent.name_text == ""
