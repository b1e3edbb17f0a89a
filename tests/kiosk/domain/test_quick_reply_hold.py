"""A one-tap quick reply: committed at once, held back in the outbox for its undo window.

Real SQLite files (the ``terminal`` fixture), the demo company: Camille (1) answers
Jordan's (2) question.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from kiosk.demo.company import demo_message_id
from kiosk.storage.outbox import Outbox

CAMILLE, JORDAN = 1, 2
QUESTION = demo_message_id(5)  # Jordan to Camille


def _count(terminal, sql, args=()):
    return terminal.db.execute(sql, args).fetchone()[0]


def test_a_held_reply_is_committed_but_not_pushed_before_its_time(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Merci", QUESTION, hold_s=5)
    outbox = Outbox(terminal.db)
    assert _count(terminal, "SELECT count(*) FROM messages WHERE id = ?", (message_id,)) == 1
    assert message_id not in [i.id for i in outbox.pending()]
    later = datetime.now(UTC) + timedelta(seconds=6)
    assert message_id in [i.id for i in outbox.pending(now=later)]


def test_withdrawing_a_held_reply_leaves_no_trace(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Merci", QUESTION, hold_s=5)
    assert terminal.withdraw_message(message_id, CAMILLE) is True
    assert _count(terminal, "SELECT count(*) FROM messages WHERE id = ?", (message_id,)) == 0
    assert _count(terminal, "SELECT count(*) FROM outbox WHERE id = ?", (message_id,)) == 0


def test_a_reply_past_its_window_cannot_be_withdrawn(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Merci", QUESTION, hold_s=0.01)
    time.sleep(0.05)  # past the window: the sync may have it
    assert terminal.withdraw_message(message_id, CAMILLE) is False
    assert _count(terminal, "SELECT count(*) FROM outbox WHERE id = ?", (message_id,)) == 1


def test_only_the_sender_can_withdraw_a_reply(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Merci", QUESTION, hold_s=5)
    assert terminal.withdraw_message(message_id, JORDAN) is False
    assert _count(terminal, "SELECT count(*) FROM outbox WHERE id = ?", (message_id,)) == 1


def test_a_held_reply_survives_a_restart_and_leaves_after_its_window(terminal, tmp_path):
    from kiosk.storage import open_database

    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Merci", QUESTION, hold_s=5)
    again = open_database(tmp_path / "kiosk.sqlite3")  # what a restarted terminal sees
    try:
        later = datetime.now(UTC) + timedelta(seconds=6)
        assert message_id in [i.id for i in Outbox(again).pending(now=later)]
    finally:
        again.conn.close()
