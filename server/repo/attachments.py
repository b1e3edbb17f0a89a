"""Content-addressed attachment bytes (kept in the database: one backup, one transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from server.db.schema import attachments
from server.db.types import utcnow

INFO_COLUMNS = (attachments.c.sha256, attachments.c.content_type, attachments.c.size)


def info(conn: Connection, sha256: str) -> Row[Any] | None:
    """sha256, content_type and size, without the bytes."""
    return conn.execute(select(*INFO_COLUMNS).where(attachments.c.sha256 == sha256)).first()


def infos(conn: Connection, hashes: set[str]) -> dict[str, Row[Any]]:
    rows = conn.execute(select(*INFO_COLUMNS).where(attachments.c.sha256.in_(hashes)))
    return {row.sha256: row for row in rows}


def data(conn: Connection, sha256: str) -> Row[Any] | None:
    return conn.execute(select(attachments).where(attachments.c.sha256 == sha256)).first()


def put(conn: Connection, sha256: str, content_type: str, content: bytes,
        terminal_id: int | None) -> bool:
    """Store the bytes unless already there; True when newly stored."""
    if info(conn, sha256) is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(insert(attachments).values(
                sha256=sha256, content_type=content_type, size=len(content), data=content,
                terminal_id=terminal_id, created_at=utcnow()))
    except IntegrityError:  # stored meanwhile by a concurrent upload
        return False
    return True
