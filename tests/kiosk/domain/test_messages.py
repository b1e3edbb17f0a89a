"""A worker's inbox on the terminal: newest first, unread counted, receipts queued once."""

from datetime import UTC, datetime, timedelta

from kiosk.demo.company import demo_message_id as _mid
from kiosk.domain.messages import IncomingMessage, MessageStore
from kiosk.storage import transaction

MSG = {n: _mid(n) for n in range(1, 10)}


def test_the_inbox_lists_a_workers_messages_newest_first(terminal):
    inbox = terminal.inbox(1)
    # HR's medical check to acknowledge (2 h) on top; then 1 h, the manager's photo (4 h),
    # the 5 h message and the drawing (6 h).
    assert [m.id for m in inbox][:5] == [MSG[1], MSG[5], MSG[8], MSG[2], MSG[9]]
    rest = inbox[1:]
    assert all(a.created_at >= b.created_at for a, b in zip(rest, rest[1:], strict=False))


def _ask_acknowledgement(terminal, message_id: str, minutes_ago: int) -> None:
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id=message_id, sender_name="RH", body="Consignes incendie : lisez et confirmez",
            created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago), recipients=(1,),
            ack_required=True,
        )])


def test_messages_waiting_for_an_acknowledgement_come_first_in_the_inbox(terminal):
    _ask_acknowledgement(terminal, "fire-drill", minutes_ago=60 * 24)
    inbox = terminal.inbox(1)
    waiting = [m.id for m in inbox if m.to_acknowledge]
    assert [m.id for m in inbox[:len(waiting)]] == waiting
    assert "fire-drill" in waiting  # a day old, above the hour-old messages
    assert [m.id for m in inbox].count("fire-drill") == 1


def test_an_acknowledged_message_goes_back_to_its_place(terminal):
    _ask_acknowledgement(terminal, "fire-drill", minutes_ago=1)
    terminal.acknowledge("fire-drill", 1)
    inbox = terminal.inbox(1)
    assert inbox[0].id != "fire-drill"
    assert not next(m for m in inbox if m.id == "fire-drill").to_acknowledge


def test_badge_in_names_the_message_waiting_for_an_acknowledgement(terminal):
    _ask_acknowledgement(terminal, "fire-drill", minutes_ago=1)
    assert terminal.present_badge("0F00123456").to_acknowledge == "fire-drill"


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
