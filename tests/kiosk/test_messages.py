"""A worker's inbox on the terminal: newest first, unread counted, receipts queued once."""

from datetime import UTC, datetime, timedelta

from kiosk.demo import demo_message_id as _mid
from kiosk.messages import IncomingMessage, MessageStore
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
