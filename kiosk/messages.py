"""Messages cached on the terminal: a worker's inbox, opening a message, read receipts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from kiosk import clock
from kiosk.models import Message, MessageSummary
from kiosk.storage import transaction
from sync.outbox import Outbox

PREVIEW_CHARS = 80

# A message is shown when HR let it through and it has not expired.
_VISIBLE = "m.status = 'approved' AND (m.expires_at IS NULL OR m.expires_at > ?)"


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


def _preview(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


def _utc(value: datetime) -> str:
    """Stored times are UTC ISO strings, so that text order is time order."""
    return value.astimezone(UTC).isoformat()


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class MessageStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        self._outbox = Outbox(db)

    def unread_count(self, employee_id: int) -> int:
        return self._db.execute(
            "SELECT count(*) FROM message_recipients r JOIN messages m ON m.id = r.message_id "
            f"WHERE r.employee_id = ? AND r.read_at IS NULL AND {_VISIBLE}",
            (employee_id, clock.utc_now_iso()),
        ).fetchone()[0]

    def inbox(self, employee_id: int, limit: int = 100) -> list[MessageSummary]:
        """Newest first."""
        rows = self._db.execute(
            "SELECT m.id, m.sender_name, m.kind, m.body, m.created_at, r.read_at, m.ack_required "
            "FROM message_recipients r JOIN messages m ON m.id = r.message_id "
            f"WHERE r.employee_id = ? AND {_VISIBLE} ORDER BY m.created_at DESC LIMIT ?",
            (employee_id, clock.utc_now_iso(), limit),
        ).fetchall()
        return [
            MessageSummary(
                id=r[0], sender_name=r[1], kind=r[2], preview=_preview(r[3]),
                created_at=datetime.fromisoformat(r[4]), unread=r[5] is None,
                ack_required=bool(r[6]),
            )
            for r in rows
        ]

    def open(self, message_id: str, employee_id: int) -> Message | None:
        """The message, marked read for this worker; the first opening queues a read receipt."""
        now = clock.utc_now_iso()
        with transaction(self._db) as conn:
            row = conn.execute(
                "SELECT m.id, m.sender_name, m.kind, m.body, m.created_at, m.ack_required, "
                "m.reply_allowed, r.read_at, r.acked_at "
                "FROM message_recipients r JOIN messages m ON m.id = r.message_id "
                f"WHERE r.message_id = ? AND r.employee_id = ? AND {_VISIBLE}",
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
        )

    @staticmethod
    def put(conn: sqlite3.Connection, messages: Iterable[IncomingMessage]) -> None:
        """Store delivered messages (inside the caller's transaction); re-delivery is harmless."""
        for m in messages:
            conn.execute(
                "INSERT INTO messages (id, thread_id, sender_id, sender_name, group_id, kind, "
                "body, created_at, ack_required, reply_allowed, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
                (m.id, m.id, m.sender_id, m.sender_name, m.group_id, m.kind, m.body,
                 _utc(m.created_at), int(m.ack_required), int(m.reply_allowed),
                 _utc(m.expires_at) if m.expires_at else None),
            )
            conn.executemany(
                "INSERT INTO message_recipients (message_id, employee_id) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                [(m.id, r) for r in m.recipients],
            )
