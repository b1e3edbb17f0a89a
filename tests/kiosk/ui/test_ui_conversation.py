"""A message recalls the conversation before it: what the worker is being answered about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.demo.company import demo_message_id
from kiosk.domain.messages import IncomingMessage, MessageStore
from kiosk.storage import open_database, transaction

QUESTION = demo_message_id(5)  # Jordan (2) to Camille (1): "Can you cover my Saturday shift?"


def _camille_replies(app: Any, badge: str, body: str) -> None:
    app.present(badge)
    app.wait_for_screen("welcome")
    compose = app.screen("compose")
    app.router.compose_new()
    compose.set_text(body)
    app.router.send_message([2], [], body, QUESTION)
    app.wait_until(lambda: compose.notice_level == "ok", 5, "the reply queued")


def _jordan_answers(app: Any, body: str) -> str:
    answer_id = f"jordan-answer-{abs(hash(body))}"
    db = open_database(app.shell.runtime.config.database_path)
    try:
        with transaction(db) as conn:  # as the pull stores it (kiosk/sync/apply.py)
            MessageStore.put(conn, [IncomingMessage(
                id=answer_id, sender_id=2, sender_name="Jordan Smith", body=body,
                created_at=datetime.now(UTC) + timedelta(seconds=1), recipients=(1,))])
            conn.execute("UPDATE messages SET thread_id = ? WHERE id = ?", (QUESTION, answer_id))
    finally:
        db.conn.close()
    return answer_id


def test_an_answer_shows_the_question_and_the_workers_own_reply_above_it(app, demo_badges):
    _camille_replies(app, demo_badges["fr"], "Oui, je peux samedi")
    answer_id = _jordan_answers(app, "Super, merci Camille !")
    app.router.open_message(answer_id)
    message = app.screen("message")
    app.wait_until(lambda: message.body == "Super, merci Camille !", 5, "the answer")
    thread = message.thread_text
    assert thread.index("Can you cover my Saturday shift?") < thread.index("[b]Vous[/b]")
    assert "Oui, je peux samedi" in thread
    app.pump(0.3)
    assert message.ids.thread_label.height > 0


def test_the_conversation_is_forgotten_when_the_session_ends(app, demo_badges):
    _camille_replies(app, demo_badges["fr"], "D'accord")
    app.router.open_message(_jordan_answers(app, "Parfait"))
    message = app.screen("message")
    app.wait_until(lambda: bool(message.thread_text), 5, "the conversation")
    app.router.done()
    app.wait_for_screen("idle")
    assert message.thread_text == "" and message.ids.thread_label.text == ""
