"""A worker's inbox on the terminal: newest first, unread counted, receipts queued once."""

from datetime import UTC, datetime, timedelta

from kiosk.messages import IncomingMessage, MessageStore
from kiosk.storage import transaction


def test_the_inbox_lists_a_workers_messages_newest_first(terminal):
    inbox = terminal.inbox("e01")
    assert [m.id for m in inbox][:3] == ["m05", "m01", "m02"]
    assert all(a.created_at >= b.created_at for a, b in zip(inbox, inbox[1:], strict=False))


def test_the_welcome_outcome_counts_unread_messages(terminal):
    assert terminal.present_badge("0F00123456").unread == len(terminal.inbox("e01"))


def test_opening_a_message_marks_it_read_and_queues_one_receipt(terminal):
    before = terminal.messages.unread_count("e01")
    message = terminal.open_message("m05", "e01")
    assert message.body.startswith("Can you cover")
    assert terminal.messages.unread_count("e01") == before - 1
    terminal.open_message("m05", "e01")
    kinds = [r[0] for r in terminal.db.execute("SELECT kind FROM outbox")]
    assert kinds == ["receipt"]


def test_a_worker_cannot_open_someone_elses_message(terminal):
    assert terminal.open_message("m03", "e01") is None


def test_an_expired_message_is_not_shown(terminal):
    now = datetime.now(UTC)
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id="old", sender_name="RH", body="x", created_at=now - timedelta(days=3),
            recipients=("e01",), expires_at=now - timedelta(days=1),
        )])
    assert "old" not in [m.id for m in terminal.inbox("e01")]


def test_long_bodies_get_a_one_line_preview(terminal):
    now = datetime.now(UTC)
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id="long", sender_name="RH", body="mot\n" * 5000, created_at=now, recipients=("e01",),
        )])
    preview = terminal.inbox("e01")[0].preview
    assert len(preview) <= 80 and "\n" not in preview
