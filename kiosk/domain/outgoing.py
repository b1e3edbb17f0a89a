"""A message on its way out: sealed to the server, and the Sent view's row beside it.

**Sealed.** A message's outbox payload, and the bytes of its photo, are sealed at
enqueue time to the server's public key (``contract.sealing``), which the terminal
learns with its cache key at each start and keeps in ``sync_state`` (a public key:
fine on disk). Queued, they are unreadable on the disk, to the terminal too: it holds
no key that opens them. The pusher sends them as they are; the server opens them.

**Two files, one truth.** The outbox (and the sealed picture) is in the durable punch
store; the Sent view's row (recipients, status, a short preview) in the encrypted
cache. WAL commits each file atomically, never both together, so the outbox row is
committed first, alone: it is what the screen's "sent" stands for, and what reaches
the server. The Sent row follows in a second transaction, and is derived: the outbox
row carries it as a ``memo`` encrypted under a key derived from the cache key (RAM
only), and ``restore_sent`` re-creates a missing one when the cache opens (a crash or
a failure between the two writes). Nothing is lost, nothing is sent twice (one outbox
row, deduplicated by the server on its id).

**Taking one back** (a quick reply's undo, ``MessageStore.withdraw``) runs the other way
round: the outbox row goes first, with a ``withdrawn_sends`` row in its place; then the
Sent row, in the cache; then the ``withdrawn_sends`` row. A crash in between leaves that
row, and ``forget_withdrawn`` drops the Sent row when the cache next opens: the Sent
view never shows as pending a message that will not leave.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlite_utils
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from contract.sealing import (
    attachment_context,
    decode_key,
    encode_box,
    encode_key,
    item_context,
    seal,
)
from kiosk.domain.attachments import SealedUploads
from kiosk.domain.models import StagedAttachment
from kiosk.storage import sqlite, transaction
from kiosk.storage.outbox import Outbox

log = logging.getLogger(__name__)

SEAL_KEY = "seal_public_key"  # sync_state: base64 of the server's X25519 public key


def seal_key(conn: Any) -> bytes | None:
    """The server's public key as last received; None before (or from an older server)."""
    row = conn.execute("SELECT value FROM main.sync_state WHERE key = ?", (SEAL_KEY,)).fetchone()
    if not row or not row[0]:
        return None
    try:
        return decode_key(row[0])
    except ValueError:
        return None


def remember_seal_key(conn: sqlite3.Connection, key: bytes) -> None:
    """Keep the server's public key (a write only when it changed: each start gives it)."""
    if seal_key(conn) == key:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO main.sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) "
                     "DO UPDATE SET value = excluded.value", (SEAL_KEY, encode_key(key)))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    log.info("the server's sealing key is known; outgoing messages are sealed to it")


def sealed_payload(key: bytes, item_id: str, kind: str, payload: dict[str, Any]) -> dict:
    """The outbox payload as it is stored and pushed: ``{"sealed": box}``."""
    plain = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return {"sealed": encode_box(seal(key, plain, item_context(item_id, kind)))}


def sealed_picture(key: bytes, sha256: str, data: bytes) -> bytes:
    return seal(key, data, attachment_context(sha256))


@dataclass(frozen=True)
class SentRow:
    """What the Sent view shows of one of the worker's messages, and nothing more."""

    id: str
    thread_id: str
    sender_id: int
    group_id: int | None
    kind: str
    preview: str
    created_at: str
    to_employees: tuple[int, ...]
    to_groups: tuple[int, ...]

    def write(self, conn: sqlite3.Connection) -> None:
        """Insert it (the cache's messages and sent_to); one already there is kept."""
        conn.execute(
            "INSERT INTO messages (id, thread_id, sender_id, sender_name, group_id, kind, "
            "body, created_at, status) SELECT ?, ?, ?, "
            "coalesce((SELECT first_name || ' ' || last_name FROM employees WHERE id = ?), ''),"
            " ?, ?, ?, ?, 'sending' ON CONFLICT(id) DO NOTHING",
            (self.id, self.thread_id, self.sender_id, self.sender_id, self.group_id,
             self.kind, self.preview, self.created_at))
        conn.execute(
            "INSERT INTO sent_to (message_id, to_employees, to_groups) VALUES (?, ?, ?) "
            "ON CONFLICT(message_id) DO NOTHING",
            (self.id, json.dumps(list(self.to_employees)), json.dumps(list(self.to_groups))))


class SentMemos:
    """The Sent row kept in its outbox row, encrypted under a key derived from the
    cache key (so it is as readable as the cache, no more)."""

    def __init__(self, cache_key: bytes) -> None:
        secret = HKDF(algorithm=SHA256(), length=32, salt=None,
                      info=b"kiosk sent memo v1").derive(cache_key)
        self._cipher = ChaCha20Poly1305(secret)

    def __repr__(self) -> str:
        return "SentMemos()"

    def seal(self, row: SentRow) -> bytes:
        nonce = os.urandom(12)
        data = json.dumps(asdict(row), ensure_ascii=False).encode()
        return nonce + self._cipher.encrypt(nonce, data, row.id.encode())

    def open(self, item_id: str, memo: bytes) -> SentRow | None:
        try:
            data = self._cipher.decrypt(memo[:12], memo[12:], item_id.encode())
            fields = json.loads(data)
            fields["to_employees"] = tuple(fields["to_employees"])
            fields["to_groups"] = tuple(fields["to_groups"])
            return SentRow(**fields)
        except (InvalidTag, ValueError, TypeError, KeyError):
            return None  # another cache key (rotated: the pull brings the message back)


def restore_sent(conn: sqlite3.Connection, memos: SentMemos) -> int:
    """Re-create the Sent rows a crash left out (inside the caller's transaction), and
    drop the memos whose row exists; how many were re-created."""
    rows = conn.execute(
        "SELECT o.id, o.memo, EXISTS (SELECT 1 FROM messages m WHERE m.id = o.id) "
        "FROM main.outbox o WHERE o.kind = 'message' AND o.memo IS NOT NULL").fetchall()
    restored = 0
    for item_id, memo, present in rows:
        if not present:
            row = memos.open(item_id, bytes(memo))
            if row is not None:
                row.write(conn)
                restored += 1
        conn.execute("UPDATE main.outbox SET memo = NULL WHERE id = ?", (item_id,))
    if restored:
        log.warning("re-created %d Sent rows from their outbox rows (the terminal stopped "
                    "between the two writes)", restored)
    return restored


def queue_sealed(db: sqlite_utils.Database, key: bytes, row: SentRow,
                 payload: dict[str, Any], picture: StagedAttachment | None,
                 hold: datetime | None, memos: SentMemos | None) -> None:
    """Seal the message (and its photo) and commit its outbox row: the message is sent,
    as far as the worker is concerned. Then its Sent row, in the cache (``record_sent``).

    Without ``memos`` (no encrypted cache yet: every table in the punch store) one
    transaction writes both. Sealing runs before the transaction, on the caller's thread
    (the core worker's), so the lock is held for the writes alone."""
    photo = picture if picture is not None and picture.kind == "photo" else None
    sha256 = photo.sha256 if photo is not None else None
    box = sealed_payload(key, row.id, "message", payload)
    sealed_photo = sealed_picture(key, sha256, photo.data) if photo and sha256 else None
    with transaction(db) as conn:
        if photo is not None and sha256 and sealed_photo is not None:
            SealedUploads.put(conn, sha256, photo.content_type, sealed_photo)
        Outbox(db).enqueue(conn, "message", box, item_id=row.id, not_before=hold,
                           attachment_sha256=sha256,
                           memo=memos.seal(row) if memos is not None else None)
        if memos is None:
            row.write(conn)
            return
    record_sent(db, row)


def record_sent(db: sqlite_utils.Database, row: SentRow) -> None:
    """The Sent row, in the cache, after its outbox row. A failure here loses nothing:
    the message goes, and ``restore_sent`` writes the row at the next open."""
    try:
        with transaction(db) as conn:
            row.write(conn)
    except sqlite.Error as exc:
        log.warning("the Sent row was not written (%s); it is re-created from its outbox "
                    "row when the cache next opens", type(exc).__name__)


def forget_sent_row(conn: sqlite3.Connection, message_id: str) -> None:
    """Drop a Sent row and its recipients, and its picture if nothing else uses it
    (inside the caller's transaction)."""
    row = conn.execute("SELECT attachment_sha256 FROM messages WHERE id = ?",
                       (message_id,)).fetchone()
    conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
    conn.execute("DELETE FROM sent_to WHERE message_id = ?", (message_id,))
    if row is not None and row[0] is not None:
        conn.execute("DELETE FROM attachments WHERE sha256 = ? AND NOT EXISTS "
                     "(SELECT 1 FROM messages WHERE attachment_sha256 = ?)", (row[0], row[0]))


def finish_withdrawal(db: sqlite_utils.Database, message_ids: list[str]) -> None:
    """The two steps after the outbox rows of ``message_ids`` went: their Sent rows (in
    the cache), then the ``withdrawn_sends`` rows that stood for them (in the punch
    store), each file in its own transaction."""
    with transaction(db) as conn:
        for message_id in message_ids:
            forget_sent_row(conn, message_id)
    with transaction(db) as conn:
        conn.executemany("DELETE FROM main.withdrawn_sends WHERE id = ?",
                         [(message_id,) for message_id in message_ids])


def forget_withdrawn(db: sqlite_utils.Database) -> int:
    """At the cache's opening: finish the withdrawals a crash interrupted; how many."""
    ids = [row[0] for row in db.execute("SELECT id FROM main.withdrawn_sends")]
    if ids:
        finish_withdrawal(db, ids)
        log.warning("dropped %d Sent rows of messages taken back (the terminal stopped "
                    "between the two writes)", len(ids))
    return len(ids)
