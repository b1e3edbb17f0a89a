"""Messages on the terminal: a worker's inbox, opening, read receipts, acknowledging, sending."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from kiosk.domain import clock
from kiosk.domain.attachments import AttachmentStore
from kiosk.domain.directory import Directory
from kiosk.domain.models import (
    INBOX_PAGE,
    Attachment,
    Message,
    MessageSummary,
    SendRefused,
    SendStatus,
    SentMessage,
    StagedAttachment,
    ThreadEntry,
)
from kiosk.domain.outgoing import (
    SentMemos,
    SentRow,
    finish_withdrawal,
    forget_sent_row,
    queue_sealed,
    seal_key,
)
from kiosk.storage import sqlite, transaction
from kiosk.storage.outbox import Outbox, new_item_id

log = logging.getLogger(__name__)

PREVIEW_CHARS = 80
THREAD_RECALL = 5  # earlier messages of a conversation the message view recalls
# The wire limit (server.protocol.common.MAX_BODY_CHARS, checked equal by a test): the
# core does not import the server's pydantic models, they would slow the terminal's start.
MAX_BODY_CHARS = 4000

# A message is shown when HR let it through and it has not expired.
_VISIBLE = "m.status = 'approved' AND (m.expires_at IS NULL OR m.expires_at > ?)"
# Its photo or drawing: m.attachment_sha256 names it from the start; a.content_type stays
# NULL until the pull fetched the bytes (the screen then says "not arrived yet").
_ATTACHMENT = "LEFT JOIN attachments a ON a.sha256 = m.attachment_sha256"
# One inbox line (MessageStore._summaries reads them in this order).
_SUMMARY = ("m.id, m.sender_name, m.kind, m.body, m.created_at, r.read_at, m.ack_required, "
            "m.attachment_sha256, a.content_type, g.name, m.reply_allowed, r.acked_at")
# At most this many lines waiting for an acknowledgement go on top of the inbox; any
# older ones keep their place in the list.
PINNED_MAX = 20


@dataclass(frozen=True)
class IncomingMessage:
    """A message as the directory seed or the sync pull delivers it."""

    id: str
    sender_name: str
    body: str
    created_at: datetime
    recipients: tuple[int, ...]
    sender_id: int | None = None
    kind: str = "text"
    ack_required: bool = False
    reply_allowed: bool = True
    group_id: int | None = None
    expires_at: datetime | None = None
    attachment_sha256: str | None = None  # its bytes come with a later download


def _preview(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


def _sent(row: tuple, names: dict[tuple[str, int], str]) -> SentMessage:
    (message_id, body, created_at, status, reason, outbox_state, outbox_error, kind,
     payload, group_id, sent_employees, sent_groups) = row
    if sent_employees is not None:  # sealed: who it went to is kept beside it
        to = {"to_employees": json.loads(sent_employees), "to_groups": json.loads(sent_groups)}
    else:  # sent in clear by an older version: its payload says it
        to = json.loads(payload) if payload else {}
    if not to and group_id is not None:  # its outbox row pruned: the group is still known
        to = {"to_groups": [group_id]}
    recipients = tuple(
        names.get((kind_, i), "") for key, kind_ in (("to_employees", "e"), ("to_groups", "g"))
        for i in to.get(key, ()))
    if outbox_state == "queued":
        status, reason = SendStatus.SENDING, ""
    elif outbox_state == "rejected":
        status = SendStatus.REJECTED
        reason = json.loads(outbox_error or "{}").get("message", "") if outbox_error else ""
    elif status not in (SendStatus.PENDING, SendStatus.APPROVED, SendStatus.REJECTED):
        status = SendStatus.PENDING  # pushed; the pull has not brought its status yet
    groups = sum(1 for i in to.get("to_groups", ()) if names.get(("g", i)))
    return SentMessage(message_id, body, datetime.fromisoformat(created_at),
                       SendStatus(status), reason or "", kind,
                       tuple(n for n in recipients if n), groups)


def _utc(value: datetime) -> str:
    """Stored times are UTC ISO strings, so that text order is time order."""
    return value.astimezone(UTC).isoformat()


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class MessageStore:
    def __init__(self, db: sqlite_utils.Database, memos: SentMemos | None = None) -> None:
        self._db = db
        self._outbox = Outbox(db)
        # With the encrypted cache: the Sent rows' memos (kiosk.domain.outgoing).
        self._memos = memos

    def unread_count(self, employee_id: int) -> int:
        return self._db.execute(
            "SELECT count(*) FROM message_recipients r JOIN messages m ON m.id = r.message_id "
            f"WHERE r.employee_id = ? AND r.read_at IS NULL AND {_VISIBLE}",
            (employee_id, clock.utc_now_iso()),
        ).fetchone()[0]

    def first_to_acknowledge(self, employee_id: int) -> str | None:
        """The message to put first at badge-in: the newest still waiting for this
        worker's acknowledgement (a reminder from HR brings it back here)."""
        first = self._to_acknowledge(employee_id, clock.utc_now_iso(), 1)
        return first[0].id if first else None

    def inbox(
        self, employee_id: int, limit: int = INBOX_PAGE, before: MessageSummary | None = None
    ) -> list[MessageSummary]:
        """The first page starts with the messages still waiting for this worker's
        acknowledgement (the newest ``PINNED_MAX``: a reminder from HR puts them back in
        front of them), then the others, newest first, at most ``limit``; ``before``:
        the page of the others older than that message.

        Read off the ``recipients_inbox`` index in order (no sort of all the worker's
        messages), so a page costs the same with 10 or 10,000 messages cached.
        """
        now = clock.utc_now_iso()
        pinned = self._to_acknowledge(employee_id, now, PINNED_MAX)
        params: list[object] = [m.id for m in pinned]
        where = f"AND m.id NOT IN ({', '.join('?' * len(pinned))}) " if pinned else ""
        if before is not None:
            where += "AND (r.created_at, r.message_id) < (?, ?) "
            params += [_utc(before.created_at), before.id]
        head = pinned if before is None else []
        return head + self._page(employee_id, now, where, params, limit)

    def _to_acknowledge(self, employee_id: int, now: str, limit: int) -> list[MessageSummary]:
        # From the few messages asking for an acknowledgement (a partial index), not
        # along the worker's inbox: cheap however many messages they have.
        return self._summaries(self._db.execute(
            f"SELECT {_SUMMARY} FROM messages m INDEXED BY messages_to_acknowledge "
            "JOIN message_recipients r ON r.message_id = m.id AND r.employee_id = ? "
            f"{_ATTACHMENT} LEFT JOIN groups g ON g.id = m.group_id "
            f"WHERE m.ack_required AND r.acked_at IS NULL AND {_VISIBLE} "
            "ORDER BY m.created_at DESC, m.id DESC LIMIT ?",
            (employee_id, now, limit),
        ).fetchall())

    def _page(self, employee_id: int, now: str, where: str, params: list[object],
              limit: int) -> list[MessageSummary]:
        return self._summaries(self._db.execute(
            f"SELECT {_SUMMARY} "
            # INDEXED BY: after ANALYZE, SQLite 3.51 (SQLCipher's) would rather scan every
            # message and sort them than walk the index in order.
            "FROM message_recipients r INDEXED BY recipients_inbox "
            f"JOIN messages m ON m.id = r.message_id {_ATTACHMENT} "
            "LEFT JOIN groups g ON g.id = m.group_id "
            f"WHERE r.employee_id = ? AND {_VISIBLE} {where}"
            "ORDER BY r.created_at DESC, r.message_id DESC LIMIT ?",
            (employee_id, now, *params, limit),
        ).fetchall())

    @staticmethod
    def _summaries(rows: list[tuple]) -> list[MessageSummary]:
        return [
            MessageSummary(
                id=r[0], sender_name=r[1], kind=r[2], preview=_preview(r[3]),
                created_at=datetime.fromisoformat(r[4]), unread=r[5] is None,
                ack_required=bool(r[6]), attachment_sha256=r[7], attachment_type=r[8],
                group_name=r[9], reply_allowed=bool(r[10]),
                to_acknowledge=bool(r[6]) and r[11] is None,
            )
            for r in rows
        ]

    def open(self, message_id: str, employee_id: int) -> Message | None:
        """The message, marked read for this worker; the first opening queues a read receipt."""
        now = clock.utc_now_iso()
        with transaction(self._db) as conn:
            row = conn.execute(
                "SELECT m.id, m.sender_name, m.kind, m.body, m.created_at, m.ack_required, "
                "m.reply_allowed, r.read_at, r.acked_at, m.sender_id, m.attachment_sha256, "
                "a.content_type "
                "FROM message_recipients r JOIN messages m ON m.id = r.message_id "
                f"{_ATTACHMENT} WHERE r.message_id = ? AND r.employee_id = ? AND {_VISIBLE}",
                (message_id, employee_id, now),
            ).fetchone()
            if row is None:
                return None
            read_at = row[7]
            if read_at is None:
                read_at = now
                conn.execute(
                    "UPDATE message_recipients SET read_at = ? "
                    "WHERE message_id = ? AND employee_id = ?",
                    (now, message_id, employee_id),
                )
                self._outbox.enqueue(
                    conn, "receipt",
                    {"message_id": message_id, "employee_id": employee_id, "read_at": now},
                )
        return Message(
            id=row[0], sender_name=row[1], kind=row[2], body=row[3],
            created_at=datetime.fromisoformat(row[4]), ack_required=bool(row[5]),
            reply_allowed=bool(row[6]), read_at=_time(read_at), acked_at=_time(row[8]),
            sender_id=row[9], attachment_sha256=row[10], attachment_type=row[11],
            earlier=self.earlier_in_thread(message_id, employee_id),
        )

    def earlier_in_thread(
        self, message_id: str, employee_id: int, limit: int = THREAD_RECALL
    ) -> tuple[ThreadEntry, ...]:
        """The last ``limit`` messages of ``message_id``'s conversation before it, oldest
        first: those the worker wrote, and those they received and may still see."""
        rows = self._db.execute(
            "SELECT m.sender_name, m.body, m.kind, m.created_at, m.sender_id = ? "
            "FROM messages t JOIN messages m ON m.thread_id = t.thread_id "
            "AND m.created_at < t.created_at AND m.id != t.id "
            "WHERE t.id = ? AND (m.sender_id = ? OR (EXISTS (SELECT 1 FROM message_recipients "
            f"r WHERE r.message_id = m.id AND r.employee_id = ?) AND {_VISIBLE})) "
            "ORDER BY m.created_at DESC LIMIT ?",
            (employee_id, message_id, employee_id, employee_id, clock.utc_now_iso(), limit),
        ).fetchall()
        return tuple(
            ThreadEntry(sender_name=r[0], body=r[1], kind=r[2],
                        created_at=datetime.fromisoformat(r[3]), mine=bool(r[4]))
            for r in reversed(rows)
        )

    def acknowledge(self, message_id: str, employee_id: int) -> datetime | None:
        """Record "I have read and understood" and queue its ``ack`` in the same transaction.

        Idempotent: a second call returns the first time and queues nothing.  None if
        the worker has no such message (withdrawn or expired meanwhile).
        """
        now = clock.utc_now_iso()
        with transaction(self._db) as conn:
            row = conn.execute(
                "SELECT r.acked_at FROM message_recipients r "
                "JOIN messages m ON m.id = r.message_id "
                f"WHERE r.message_id = ? AND r.employee_id = ? AND {_VISIBLE}",
                (message_id, employee_id, now),
            ).fetchone()
            if row is None:
                return None
            if row[0] is not None:
                return datetime.fromisoformat(row[0])
            conn.execute(
                "UPDATE message_recipients SET acked_at = ?, read_at = coalesce(read_at, ?) "
                "WHERE message_id = ? AND employee_id = ?",
                (now, now, message_id, employee_id),
            )
            self._outbox.enqueue(
                conn, "ack", {"message_id": message_id, "employee_id": employee_id, "acked_at": now}
            )
        return datetime.fromisoformat(now)

    def send(
        self,
        sender_id: int,
        to_employees: Sequence[int],
        to_groups: Sequence[int],
        body: str,
        reply_to: str | None = None,
        attachment: Attachment | StagedAttachment | None = None,
        hold_s: float = 0.0,
    ) -> str:
        """Queue a message; returns its id (a client UUID, also the outbox item's id).

        ``hold_s``: the outbox keeps it back that long (a quick reply's undo window,
        ``withdraw``); it is committed at once all the same.

        Everything is checked before anything is written: the body (trimmed, 1 to
        MAX_BODY_CHARS; with an attachment it is an optional caption), each recipient
        against the sender's contact list (the server checks again; refusing here tells
        the worker at once, not hours later), a reply against the message's
        ``reply_allowed``, and the attachment (``kiosk.domain.message_attachments.stage``; a
        ``StagedAttachment`` was staged already, off this thread, by the station).
        With the server's sealing key (the usual case) the payload and a photo's bytes are
        sealed to the server and committed with the outbox row, before the Sent row
        (``kiosk.domain.outgoing``); without it, all in one transaction, in clear.
        """
        text = body.strip()
        if not text and attachment is None:
            raise SendRefused("empty_body")
        if len(text) > MAX_BODY_CHARS:
            raise SendRefused("too_long", f"{len(text)} > {MAX_BODY_CHARS} characters")
        employees, groups = list(dict.fromkeys(to_employees)), list(dict.fromkeys(to_groups))
        if not employees and not groups:
            raise SendRefused("no_recipients")
        contacts = Directory(self._db).contacts_of(sender_id)
        allowed_employees = {c.id for c in contacts if c.kind == "employee"}
        allowed_groups = {c.id for c in contacts if c.kind == "group"}
        thread_id = None
        if reply_to is not None:
            parent = self._parent(reply_to, sender_id)
            if parent is None:
                raise SendRefused("unknown_message", reply_to)
            thread_id, parent_sender, reply_allowed = parent
            if not reply_allowed and parent_sender != sender_id:
                raise SendRefused("reply_not_allowed", reply_to)
            if parent_sender is not None:  # one may always answer the sender
                allowed_employees.add(parent_sender)
        for employee_id in employees:
            if employee_id not in allowed_employees:
                raise SendRefused("not_in_contact_list", f"employee {employee_id}")
        for group_id in groups:
            if group_id not in allowed_groups:
                raise SendRefused("group_post_not_allowed", f"group {group_id}")
        staged: StagedAttachment | None = None
        if isinstance(attachment, StagedAttachment):
            staged = attachment
        elif attachment is not None:  # last: rendering is the costly check
            from kiosk.domain.message_attachments import stage

            staged = stage(attachment)
        kind = staged.kind if staged is not None else "text"
        message_id = new_item_id()
        now = clock.utc_now_iso()
        payload: dict[str, object] = {
            "sender_id": sender_id, "to_employees": employees, "to_groups": groups,
            "kind": kind, "body": text, "written_at": now,
            **(staged.payload if staged is not None else {}),
        }
        if reply_to is not None:
            payload["reply_to"] = reply_to
        hold = datetime.now(UTC) + timedelta(seconds=hold_s) if hold_s > 0 else None
        key = seal_key(self._db.conn)
        if key is not None:  # the usual case: sealed to the server (kiosk.domain.outgoing)
            row = SentRow(message_id, thread_id or message_id, sender_id,
                          groups[0] if groups else None, kind, _preview(text), now,
                          tuple(employees), tuple(groups))
            queue_sealed(self._db, key, row, payload, staged, hold, self._memos)
            return message_id
        # No key from the server yet (an older server): in clear, as terminals did before.
        with transaction(self._db) as conn:
            sha256 = (AttachmentStore.put(conn, staged.data, staged.content_type)
                      if staged is not None else None)
            conn.execute(
                "INSERT INTO messages (id, thread_id, sender_id, sender_name, group_id, kind, "
                "body, created_at, status, attachment_sha256) SELECT ?, ?, ?, "
                "coalesce((SELECT first_name || ' ' || last_name FROM employees WHERE id = ?), ''),"
                " ?, ?, ?, ?, 'sending', ?",
                (message_id, thread_id or message_id, sender_id, sender_id,
                 groups[0] if groups else None, kind, text, now, sha256),
            )
            self._outbox.enqueue(conn, "message", payload, item_id=message_id,
                                 not_before=hold)
        return message_id

    def withdraw(self, message_id: str, sender_id: int) -> bool:
        """Undo a message still held back (``send(hold_s=...)``): its outbox row, the
        message and a picture nothing else uses go.  False (and nothing changed) once it
        may have left, or if it is not the sender's.  With the encrypted cache the outbox
        row goes first and the Sent row after it (``kiosk.domain.outgoing``)."""
        two_files = self._memos is not None
        with transaction(self._db) as conn:
            mine = conn.execute("SELECT 1 FROM messages WHERE id = ? AND sender_id = ?",
                                (message_id, sender_id)).fetchone()
            sealed = conn.execute("SELECT attachment_sha256 FROM outbox WHERE id = ?",
                                  (message_id,)).fetchone()
            if mine is None or not Outbox.withdraw(conn, message_id, datetime.now(UTC)):
                return False
            if sealed and sealed[0]:
                conn.execute("DELETE FROM sealed_uploads WHERE sha256 = ? AND NOT EXISTS "
                             "(SELECT 1 FROM outbox WHERE attachment_sha256 = ? "
                             "AND state = 'queued')", (sealed[0], sealed[0]))
            if two_files:
                conn.execute("INSERT OR IGNORE INTO main.withdrawn_sends (id) VALUES (?)",
                             (message_id,))
            else:  # one file: one transaction is atomic
                forget_sent_row(conn, message_id)
        if two_files:  # taken back already: a failure here only delays the Sent row's end
            try:
                finish_withdrawal(self._db, [message_id])
            except sqlite.Error as exc:
                log.warning("the Sent row of a message taken back was not dropped (%s); "
                            "it is at the next open with the key", type(exc).__name__)
        return True

    def _parent(self, message_id: str,
                employee_id: int) -> tuple[str, int | None, bool] | None:
        """(thread, sender, reply allowed) of a message the worker received or wrote."""
        row = self._db.execute(
            "SELECT m.thread_id, m.sender_id, m.reply_allowed FROM messages m "
            "WHERE m.id = ? AND (m.sender_id = ? "
            "OR EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id "
            "AND r.employee_id = ?))",
            (message_id, employee_id, employee_id),
        ).fetchone()
        return (row[0] or message_id, row[1], bool(row[2])) if row else None

    def sent(self, sender_id: int, limit: int = 50) -> list[SentMessage]:
        """The worker's own messages, newest first, with how far each got.

        'sending' while its outbox row is queued; once pushed and until the pull
        brings the server's status, 'pending'; a row the server refused is 'rejected'.
        """
        rows = self._db.execute(
            "SELECT m.id, m.body, m.created_at, m.status, m.reject_reason, o.state, o.error, "
            "m.kind, o.payload, m.group_id, s.to_employees, s.to_groups "
            "FROM messages m LEFT JOIN outbox o ON o.id = m.id AND o.kind = 'message' "
            "LEFT JOIN sent_to s ON s.message_id = m.id "
            "WHERE m.sender_id = ? ORDER BY m.created_at DESC LIMIT ?",
            (sender_id, limit),
        ).fetchall()
        names: dict[tuple[str, int], str] = {}
        for e_id, first, last in self._db.execute(
                "SELECT id, first_name, last_name FROM employees"):
            names[("e", e_id)] = f"{first} {last}".strip()
        for g_id, name in self._db.execute("SELECT id, name FROM groups"):
            names[("g", g_id)] = name
        return [_sent(r, names) for r in rows]

    @staticmethod
    def put(conn: sqlite3.Connection, messages: Iterable[IncomingMessage]) -> None:
        """Store delivered messages (inside the caller's transaction); re-delivery is harmless.
        Two statements for any number of messages (a first sync brings 500 a page)."""
        rows, recipients = [], []
        for m in messages:
            created_at = _utc(m.created_at)
            rows.append((m.id, m.id, m.sender_id, m.sender_name, m.group_id, m.kind, m.body,
                         created_at, int(m.ack_required), int(m.reply_allowed),
                         _utc(m.expires_at) if m.expires_at else None, m.attachment_sha256))
            recipients.extend((m.id, r, m.id, created_at) for r in m.recipients)
        conn.executemany(
            "INSERT INTO messages (id, thread_id, sender_id, sender_name, group_id, kind, "
            "body, created_at, ack_required, reply_allowed, expires_at, attachment_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING", rows)
        # After every message: a re-delivered one keeps its first created_at.
        conn.executemany(
            "INSERT INTO message_recipients (message_id, employee_id, created_at) "
            "VALUES (?, ?, coalesce((SELECT created_at FROM messages WHERE id = ?), ?)) "
            "ON CONFLICT DO NOTHING", recipients)
