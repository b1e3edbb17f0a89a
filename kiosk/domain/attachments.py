"""Photos and drawings stored on the terminal until the server has them, by sha256."""

from __future__ import annotations

import hashlib
import sqlite3

import sqlite_utils

from kiosk.domain import clock

CONTENT_TYPES = ("image/jpeg", "image/png")


class AttachmentStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    @staticmethod
    def put(conn: sqlite3.Connection, data: bytes, content_type: str,
            uploaded: bool = False) -> str:
        """Keep ``data`` (inside the caller's transaction, with the message that uses it).

        ``uploaded``: the bytes came from the server (a pull's download), so the pusher
        never sends them back.
        """
        if content_type not in CONTENT_TYPES:
            raise ValueError(f"content type {content_type!r} is not one of {CONTENT_TYPES}")
        sha256 = hashlib.sha256(data).hexdigest()
        now = clock.utc_now_iso()
        conn.execute(
            "INSERT INTO attachments (sha256, content_type, data, created_at, uploaded_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
            (sha256, content_type, data, now, now if uploaded else None),
        )
        return sha256

    def get(self, sha256: str) -> tuple[bytes, str] | None:
        row = self._db.execute(
            "SELECT data, content_type FROM attachments WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return (bytes(row[0]), row[1]) if row else None

    def uploaded(self, sha256: str) -> bool:
        row = self._db.execute(
            "SELECT uploaded_at FROM attachments WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return bool(row and row[0])

    def mark_uploaded(self, sha256: str) -> None:
        self._db.execute(
            "UPDATE attachments SET uploaded_at = ? WHERE sha256 = ?",
            (clock.utc_now_iso(), sha256),
        )


class SealedUploads:
    """Pictures of queued messages, sealed to the server (``kiosk.domain.outgoing``), in the
    durable punch store with their outbox row; gone once uploaded."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    @staticmethod
    def put(conn: sqlite3.Connection, sha256: str, content_type: str, box: bytes) -> None:
        conn.execute(
            "INSERT INTO sealed_uploads (sha256, content_type, box, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
            (sha256, content_type, box, clock.utc_now_iso()))

    def get(self, sha256: str) -> tuple[bytes, str] | None:
        row = self._db.execute("SELECT box, content_type FROM sealed_uploads WHERE sha256 = ?",
                               (sha256,)).fetchone()
        return (bytes(row[0]), row[1]) if row else None

    def forget(self, sha256: str) -> None:
        """The server holds it (or refused it for good): the box is of no more use."""
        self._db.execute("DELETE FROM sealed_uploads WHERE sha256 = ?", (sha256,))
