"""A worker's inbox on the terminal: newest first, unread counted, receipts queued once."""

from datetime import UTC, datetime, timedelta

from kiosk.demo.company import demo_message_id as _mid
from kiosk.domain.messages import IncomingMessage, MessageStore
from kiosk.storage import transaction

MSG = {n: _mid(n) for n in range(1, 10)}


def test_the_inbox_lists_a_workers_messages_newest_first(terminal):
    inbox = terminal.inbox(1)
    # 1 h, 2 h, then the manager's photo (4 h) and drawing (6 h) before the 5 h message.
    assert [m.id for m in inbox][:5] == [MSG[5], MSG[1], MSG[8], MSG[2], MSG[9]]
    assert all(a.created_at >= b.created_at for a, b in zip(inbox, inbox[1:], strict=False))


def test_the_welcome_outcome_counts_unread_messages(terminal):
    assert terminal.present_badge("0F00123456").unread == len(terminal.inbox(1))


def test_opening_a_message_marks_it_read_and_queues_one_receipt(terminal):
    before = terminal.messages.unread_count(1)
    message = terminal.open_message(MSG[5], 1)
    assert message.body.startswith("Can you cover")
    assert terminal.messages.unread_count(1) == before - 1
    terminal.open_message(MSG[5], 1)
    kinds = [r[0] for r in terminal.db.execute("SELECT kind FROM outbox")]
    assert kinds == ["receipt"]


def test_a_worker_cannot_open_someone_elses_message(terminal):
    assert terminal.open_message(MSG[3], 1) is None


def test_an_expired_message_is_not_shown(terminal):
    now = datetime.now(UTC)
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id="old", sender_name="RH", body="x", created_at=now - timedelta(days=3),
            recipients=(1,), expires_at=now - timedelta(days=1),
        )])
    assert "old" not in [m.id for m in terminal.inbox(1)]


def test_long_bodies_get_a_one_line_preview(terminal):
    now = datetime.now(UTC)
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id="long", sender_name="RH", body="mot\n" * 5000, created_at=now, recipients=(1,),
        )])
    preview = terminal.inbox(1)[0].preview
    assert len(preview) <= 80 and "\n" not in preview


def _answer_from_jordan(terminal, reply_id: str, body: str) -> str:
    """Jordan's answer in the thread of ``reply_id``, as the pull stores it."""
    answer_id = f"answer-to-{reply_id}"
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id=answer_id, sender_id=2, sender_name="Jordan Smith", body=body,
            created_at=datetime.now(UTC) + timedelta(seconds=1), recipients=(1,))])
        conn.execute("UPDATE messages SET thread_id = ? WHERE id = ?", (MSG[5], answer_id))
    return answer_id


def test_a_message_recalls_the_conversation_before_it_oldest_first(terminal):
    reply_id = terminal.send_message(1, [2], [], "Oui, pas de souci", reply_to=MSG[5])
    answer_id = _answer_from_jordan(terminal, reply_id, "Merci beaucoup !")
    earlier = terminal.open_message(answer_id, 1).earlier
    assert [(e.sender_name, e.body[:12], e.mine) for e in earlier] == [
        ("Jordan Smith", "Can you cove", False), ("Camille Martin", "Oui, pas de ", True)]


def test_a_conversation_shows_nothing_the_worker_was_not_part_of(terminal):
    # Luc (4) answered Jordan in the same thread; Camille was not a recipient of it.
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id="luc-aside", sender_id=4, sender_name="Luc Bernard", body="Moi aussi",
            created_at=datetime.now(UTC), recipients=(2,))])
        conn.execute("UPDATE messages SET thread_id = ? WHERE id = 'luc-aside'", (MSG[5],))
    answer_id = _answer_from_jordan(terminal, "x", "Quelqu'un ?")
    assert [e.sender_name for e in terminal.open_message(answer_id, 1).earlier] == [
        "Jordan Smith"]


def test_a_first_message_has_no_conversation_before_it(terminal):
    assert terminal.open_message(MSG[5], 1).earlier == ()
