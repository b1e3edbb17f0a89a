"""Expiry on the terminal: expired messages and unused attachments leave the disk."""

import threading
import time
from datetime import UTC, datetime, timedelta

from kiosk.domain.attachments import AttachmentStore
from kiosk.domain.messages import IncomingMessage, MessageStore
from kiosk.domain.retention import ATTACHMENT_KEEP_DAYS, PruneResult, prune_expired
from kiosk.storage import transaction
from kiosk.storage.outbox import Outbox

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
NOW = datetime.now(UTC)


def _deliver(terminal, message_id: str, expires_at: datetime | None,
             attachment: bytes | None = None) -> str | None:
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id=message_id, sender_name="RH", body="x", created_at=NOW - timedelta(days=3),
            recipients=(1, 2), expires_at=expires_at,
        )])
        if attachment is None:
            return None
        sha = AttachmentStore.put(conn, attachment, "image/png")
        conn.execute("UPDATE messages SET attachment_sha256 = ? WHERE id = ?", (sha, message_id))
        return sha


def _count(terminal, sql: str, *args: object) -> int:
    return terminal.db.execute(sql, args).fetchone()[0]


def test_an_expired_message_and_its_recipients_are_deleted(terminal):
    _deliver(terminal, "old", NOW - timedelta(days=1))
    result = prune_expired(terminal.db)
    assert result.messages == 1
    assert _count(terminal, "SELECT count(*) FROM messages WHERE id = 'old'") == 0
    assert _count(terminal, "SELECT count(*) FROM message_recipients "
                            "WHERE message_id = 'old'") == 0


def test_an_attachment_only_an_expired_message_used_is_deleted(terminal):
    sha = _deliver(terminal, "old", NOW - timedelta(days=1), PNG)
    assert prune_expired(terminal.db) == PruneResult(messages=1, attachments=1)
    assert AttachmentStore(terminal.db).get(sha) is None


def test_an_attachment_named_by_a_queued_outbox_item_is_kept(terminal):
    sha = _deliver(terminal, "old", NOW - timedelta(days=1), PNG)
    with transaction(terminal.db) as conn:
        Outbox(terminal.db).enqueue(conn, "message", {
            "sender_id": 1, "to_employees": [2], "to_groups": [], "kind": "photo",
            "body": "", "attachment_sha256": sha})
    assert prune_expired(terminal.db) == PruneResult(messages=1, attachments=0)
    assert AttachmentStore(terminal.db).get(sha) is not None


def test_an_attachment_named_by_a_sent_outbox_item_only_is_deleted(terminal):
    with transaction(terminal.db) as conn:
        sha = AttachmentStore.put(conn, PNG, "image/png")
        Outbox(terminal.db).enqueue(conn, "message", {"attachment_sha256": sha})
        conn.execute("UPDATE outbox SET state = 'sent'")
    assert prune_expired(terminal.db).attachments == 1


def test_unexpired_and_never_expiring_messages_are_kept(terminal):
    before = _count(terminal, "SELECT count(*) FROM messages")
    _deliver(terminal, "later", NOW + timedelta(days=1))
    _deliver(terminal, "forever", None, PNG)
    assert prune_expired(terminal.db) == PruneResult(messages=0, attachments=0)
    assert _count(terminal, "SELECT count(*) FROM messages") == before + 2
    assert _count(terminal, "SELECT count(*) FROM message_recipients "
                            "WHERE message_id IN ('later', 'forever')") == 4


def test_a_message_still_queued_for_sending_is_kept_even_when_expired(terminal):
    _deliver(terminal, "mine", NOW - timedelta(days=1))
    with transaction(terminal.db) as conn:
        Outbox(terminal.db).enqueue(conn, "message", {"body": "x"}, item_id="mine")
    assert prune_expired(terminal.db).messages == 0


def test_prune_uses_the_time_given(terminal):
    _deliver(terminal, "soon", NOW + timedelta(hours=1))
    assert prune_expired(terminal.db, now=NOW + timedelta(hours=2)).messages == 1


def test_the_terminal_prunes_through_its_core_method(terminal):
    _deliver(terminal, "old", NOW - timedelta(days=1))
    assert terminal.prune_expired().messages == 1
    assert "old" not in [m.id for m in terminal.inbox(1)]


class _RecordingWorker:
    def __init__(self) -> None:
        self.calls: list[object] = []

    def submit(self, call, on_result=None, on_error=None) -> None:
        self.calls.append(call)


def test_the_runtime_submits_a_prune_every_ten_minutes(tmp_path):
    from kiosk.app.runtime import PRUNE_EVERY_S, TerminalRuntime
    from kiosk.demo.prepare import demo_config
    from kiosk.sync.status import SyncState, SyncStatus

    checked = threading.Event()
    runtime = TerminalRuntime(demo_config(tmp_path), view=None, deliver=lambda call: call(),
                              on_storage_status=lambda status: checked.set())
    runtime.worker.start()
    runtime.check_storage()  # pruning waits for the page check, as at start
    assert checked.wait(10)
    runtime.worker.stop()
    runtime.sync_history.record(SyncStatus(SyncState.DISABLED))  # an offline-only terminal
    worker = runtime.worker = _RecordingWorker()
    runtime.started = True
    start = time.monotonic()
    runtime.prune_expired()  # what start() does once
    runtime.prune_if_due(start + PRUNE_EVERY_S - 5)
    assert len(worker.calls) == 1
    runtime.prune_if_due(start + PRUNE_EVERY_S + 5)
    assert len(worker.calls) == 2
    assert PRUNE_EVERY_S == 600


# Pictures of old messages -------------------------------------------------------------------

def _picture_message(terminal, message_id: str, days_old: float, data: bytes = PNG,
                     expires_at: datetime | None = None) -> str:
    sha = _deliver(terminal, message_id, expires_at, data)
    terminal.db.execute("UPDATE messages SET created_at = ? WHERE id = ?",
                        ((NOW - timedelta(days=days_old)).isoformat(), message_id))
    return sha


def _value(terminal, sql: str, *args: object) -> object:
    return terminal.db.execute(sql, args).fetchone()[0]


def _picture_of(terminal, message_id: str) -> str | None:
    return _value(terminal, "SELECT attachment_sha256 FROM messages WHERE id = ?", message_id)


def test_the_picture_of_a_message_older_than_the_age_is_pruned_and_its_text_kept(terminal):
    sha = _picture_message(terminal, "old", ATTACHMENT_KEEP_DAYS + 1)
    assert prune_expired(terminal.db) == PruneResult(messages=0, attachments=1)
    assert AttachmentStore(terminal.db).get(sha) is None
    assert _value(terminal, "SELECT body FROM messages WHERE id = 'old'") == "x"
    assert _picture_of(terminal, "old") is None


def test_a_pruned_picture_is_not_downloaded_again(terminal):
    from kiosk.sync.apply import missing_attachments

    _picture_message(terminal, "old", ATTACHMENT_KEEP_DAYS + 1)
    prune_expired(terminal.db)
    assert missing_attachments(terminal.db.conn) == []


def test_the_picture_of_a_message_within_the_age_is_kept(terminal):
    sha = _picture_message(terminal, "recent", ATTACHMENT_KEEP_DAYS - 1)
    assert prune_expired(terminal.db).attachments == 0
    assert AttachmentStore(terminal.db).get(sha) is not None


def test_an_old_picture_a_message_within_the_age_also_shows_is_kept(terminal):
    sha = _picture_message(terminal, "old", ATTACHMENT_KEEP_DAYS + 1)
    _picture_message(terminal, "recent", 1)  # the same photo, forwarded again
    assert prune_expired(terminal.db).attachments == 0
    assert AttachmentStore(terminal.db).get(sha) is not None
    assert _picture_of(terminal, "old") == sha


def test_an_old_message_shown_until_a_later_expiry_keeps_its_picture(terminal):
    sha = _picture_message(terminal, "pinned", ATTACHMENT_KEEP_DAYS + 10,
                           expires_at=NOW + timedelta(days=5))
    assert prune_expired(terminal.db).attachments == 0
    assert _picture_of(terminal, "pinned") == sha


def test_an_old_picture_still_queued_for_sending_is_kept_then_pruned_once_sent(terminal):
    sha = _picture_message(terminal, "mine", ATTACHMENT_KEEP_DAYS + 1)
    with transaction(terminal.db) as conn:  # a photo sent from here, never pushed yet
        Outbox(terminal.db).enqueue(conn, "message", {"kind": "photo", "attachment_sha256": sha},
                                    item_id="mine")
    assert prune_expired(terminal.db).attachments == 0
    assert _picture_of(terminal, "mine") == sha
    terminal.db.execute("UPDATE outbox SET state = 'sent'")
    assert prune_expired(terminal.db).attachments == 1


def test_an_old_picture_a_queued_item_names_is_kept(terminal):
    sha = _picture_message(terminal, "old", ATTACHMENT_KEEP_DAYS + 1)
    with transaction(terminal.db) as conn:
        Outbox(terminal.db).enqueue(conn, "message", {"kind": "photo", "attachment_sha256": sha})
    assert prune_expired(terminal.db).attachments == 0
    assert AttachmentStore(terminal.db).get(sha) is not None


def test_the_age_is_given_in_days(terminal):
    _picture_message(terminal, "week", 8)
    assert prune_expired(terminal.db).attachments == 0
    assert prune_expired(terminal.db, keep_days=7).attachments == 1
