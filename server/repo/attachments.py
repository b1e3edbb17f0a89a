"""Content-addressed attachments: their rows here (sha256, type, size, uploader), their
bytes in the attachment store (``server.attachment_store``), found on the connection.

A row and its file: the row is inserted first, then the file written, both before the
transaction commits, so a committed row always has its file. On PostgreSQL the insert
waits on a concurrent prune deleting the same row (its row lock) and writes the file
again after that prune removed it; on SQLite writers are serialised anyway.

Who may read them: the terminals that uploaded them (``attachment_uploads``), and the
terminals of every site a live message naming them was announced to (its change-log
rows). Anything else is answered exactly as bytes the server does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from server.attachment_store import AttachmentStore, LazyStore
from server.db.engine import STORE
from server.db.schema import attachment_uploads, attachments, changes, messages
from server.db.types import utcnow

INFO_COLUMNS = (attachments.c.sha256, attachments.c.content_type, attachments.c.size)


def info(conn: Connection, sha256: str) -> Row[Any] | None:
    """sha256, content_type and size, without the bytes."""
    return conn.execute(select(*INFO_COLUMNS).where(attachments.c.sha256 == sha256)).first()


def infos(conn: Connection, hashes: set[str]) -> dict[str, Row[Any]]:
    rows = conn.execute(select(*INFO_COLUMNS).where(attachments.c.sha256.in_(hashes)))
    return {row.sha256: row for row in rows}


@dataclass(frozen=True)
class Stored:
    sha256: str
    content_type: str
    size: int
    data: bytes


def store_of(conn: Connection) -> AttachmentStore:
    """The attachment store of the database ``conn`` belongs to."""
    lazy: LazyStore | None = conn.info.get(STORE)
    if lazy is None:
        raise RuntimeError("this connection was not opened through server.db.Database")
    return lazy.resolve()


def data(conn: Connection, sha256: str) -> Stored | None:
    """The bytes and their type; None when there is no row, or its file is missing or
    damaged (logged by the store)."""
    row = info(conn, sha256)
    if row is None:
        return None
    content = store_of(conn).get(sha256)
    if content is None:
        return None
    return Stored(row.sha256, row.content_type, row.size, content)


def put(conn: Connection, sha256: str, content_type: str, content: bytes,
        terminal_id: int | None) -> bool:
    """Store the bytes unless already there; True when newly stored. The file is
    written either way (a no-op when present): a file lost or set aside as damaged
    comes back with the next upload."""
    created = False
    if info(conn, sha256) is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(attachments).values(
                    sha256=sha256, content_type=content_type, size=len(content),
                    terminal_id=terminal_id, created_at=utcnow()))
            created = True
        except IntegrityError:  # stored meanwhile by a concurrent upload
            pass
    store_of(conn).put(sha256, content)
    return created


def record_upload(conn: Connection, sha256: str, terminal_id: int) -> None:
    """Note that ``terminal_id`` uploaded these bytes (once; it may read them back)."""
    if uploaded_by(conn, sha256, terminal_id):
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(attachment_uploads).values(
                sha256=sha256, terminal_id=terminal_id, created_at=utcnow()))
    except IntegrityError:  # the same upload, concurrently
        pass


def uploaded_by(conn: Connection, sha256: str, terminal_id: int) -> bool:
    query = select(attachment_uploads.c.sha256).where(
        (attachment_uploads.c.sha256 == sha256) & (attachment_uploads.c.terminal_id == terminal_id))
    return conn.execute(query).first() is not None


def visible_to(conn: Connection, sha256: str, terminal_id: int, site_id: int) -> bool:
    """May this terminal read these bytes? Its own upload, or a live message naming them
    that was announced to its site."""
    if uploaded_by(conn, sha256, terminal_id):
        return True
    now = utcnow()
    announced = exists().where(and_(
        changes.c.entity == "message", changes.c.entity_id == messages.c.id,
        or_(changes.c.site_id == site_id, changes.c.site_id.is_(None))))
    query = (select(messages.c.id).where(messages.c.attachment_sha256 == sha256)
             .where(or_(messages.c.expires_at.is_(None), messages.c.expires_at > now))
             .where(announced).limit(1))
    return conn.execute(query).first() is not None


def unreferenced_uploads(conn: Connection, terminal_id: int) -> tuple[int, int]:
    """(count, bytes) of what this terminal uploaded that no message names yet."""
    named = exists().where(messages.c.attachment_sha256 == attachment_uploads.c.sha256)
    query = (select(func.count(), func.coalesce(func.sum(attachments.c.size), 0))
             .select_from(attachment_uploads)
             .join(attachments, attachments.c.sha256 == attachment_uploads.c.sha256)
             .where(attachment_uploads.c.terminal_id == terminal_id).where(~named))
    count, size = conn.execute(query).one()
    return int(count), int(size)
