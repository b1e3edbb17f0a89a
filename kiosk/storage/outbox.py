"""The outbox: every action a worker takes leaves one row here, in the action's own transaction.

Rows are never deleted before the server has them: ``queued`` until sent, then
``sent`` (or ``rejected`` with the server's reason, kept for the status screen).
The client-generated ``id`` is what the server deduplicates on, so a retry after
any crash cannot duplicate an item.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    # The picture to upload before the item, named beside a sealed payload.
    attachment_sha256: str | None = None


def new_item_id() -> str:
    """A client-generated id, unique across terminals and restarts."""
    return str(uuid.uuid4())


class Outbox:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def enqueue(
        self,
        conn: sqlite3.Connection,
        kind: str,
        payload: dict[str, Any],
        item_id: str | None = None,
        not_before: datetime | None = None,
        attachment_sha256: str | None = None,
        memo: bytes | None = None,
    ) -> str:
        """Add an item inside the caller's open transaction (``conn``); returns its id.

        ``not_before``: the sync leaves the item alone until then (an undo window);
        it is on disk at once, so it goes even if the terminal restarts meanwhile.
        ``attachment_sha256``: the picture the pusher uploads first (a sealed payload
        does not show it); ``memo``: the Sent row, sealed (``kiosk.domain.outgoing``)."""
        if not conn.in_transaction:
            raise RuntimeError("Outbox.enqueue must run inside the action's transaction")
        item_id = item_id or new_item_id()
        conn.execute(
            "INSERT INTO outbox (id, kind, payload, created_at, not_before, attachment_sha256, "
            "memo) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_id, kind, json.dumps(payload, ensure_ascii=False, sort_keys=True),
             datetime.now(UTC).isoformat(),
             not_before.astimezone(UTC).isoformat() if not_before else None,
             attachment_sha256, memo),
        )
        return item_id

    @staticmethod
    def withdraw(conn: sqlite3.Connection, item_id: str, now: datetime) -> bool:
        """Take back an item still held (queued, its ``not_before`` after ``now``), inside
        the caller's transaction; False if it is gone or may already be on its way."""
        if not conn.in_transaction:
            raise RuntimeError("Outbox.withdraw must run inside the action's transaction")
        deleted = conn.execute(
            "DELETE FROM outbox WHERE id = ? AND state = 'queued' AND not_before > ?",
            (item_id, now.astimezone(UTC).isoformat()),
        ).rowcount
        return deleted == 1

    def pending(self, limit: int = 500, now: datetime | None = None) -> list[OutboxItem]:
        """Queued items due at ``now`` (default: the clock), oldest first (the order the
        worker did them); a held item (``not_before``) is left out until its time."""
        due = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
        rows = self._db.execute(
            "SELECT seq, id, kind, payload, attempts, attachment_sha256 FROM outbox "
            "WHERE state = 'queued' AND (not_before IS NULL OR not_before <= ?) "
            "ORDER BY seq LIMIT ?",
            (due, limit),
        ).fetchall()
        return [OutboxItem(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]

    def depth(self) -> int:
        return self._db.execute("SELECT count(*) FROM outbox WHERE state = 'queued'").fetchone()[0]

    def oldest_queued_at(self) -> datetime | None:
        row = self._db.execute(
            "SELECT min(created_at) FROM outbox WHERE state = 'queued'"
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None
