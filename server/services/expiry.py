"""Expiry: messages past their ``expires_at`` leave the server, and so do unused attachments.

Each pruned message becomes a ``message`` change for the sites that saw it (its
sender's and its recipients'); pull serves a message that no longer exists as
``{"type": "delete", "entity": "message"}``, so terminals forget it too.

An attachment goes once no message uses it: at once when the message that used it
is pruned, and otherwise only after ``ATTACHMENT_GRACE``, since a terminal uploads
a photo before pushing the message that names it and may go offline in between.
Its file in the attachment store goes with its row; a file that no row names (a
rolled-back upload) is swept once older than ``ORPHAN_AGE``.
Portable SQL only (SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.engine import Connection

from server.attachment_store import sweep_orphans
from server.db import Database
from server.db.schema import attachment_uploads, attachments, message_recipients, messages
from server.db.types import utcnow
from server.repo import attachments as attachments_repo
from server.repo import changes
from server.repo import messages as message_repo

log = logging.getLogger("server.expiry")

ATTACHMENT_GRACE = timedelta(days=7)
# A file is written inside its row's transaction; one without a row this old is an orphan.
ORPHAN_AGE = timedelta(hours=1)
BATCH = 500  # messages per statement: keeps IN lists far below every driver's limit
PRUNE_INTERVAL_S = 600.0


@dataclass(frozen=True)
class PruneResult:
    messages: int
    attachments: int


def prune_expired(conn: Connection, now: datetime | None = None) -> PruneResult:
    """Delete expired messages, their recipient rows and unused attachments (in ``conn``'s
    transaction), and record a ``message`` change for each site concerned."""
    now = now or utcnow()
    pruned = 0
    freed: set[str] = set()
    while True:
        rows = list(conn.execute(
            select(messages).where(messages.c.expires_at.is_not(None))
            .where(messages.c.expires_at <= now).order_by(messages.c.id).limit(BATCH)))
        if not rows:
            break
        ids = [r.id for r in rows]
        new_changes = []
        for row in rows:
            sites = message_repo.sender_sites(conn, row) | message_repo.recipient_sites(
                conn, row.id)
            new_changes += changes.rows("message", row.id, sites)
        freed |= {r.attachment_sha256 for r in rows if r.attachment_sha256}
        # A live reply keeps its thread, but no longer points at a message that is gone.
        conn.execute(update(messages).where(messages.c.reply_to.in_(ids)).values(reply_to=None))
        conn.execute(delete(message_recipients).where(message_recipients.c.message_id.in_(ids)))
        conn.execute(delete(messages).where(messages.c.id.in_(ids)))
        changes.insert(conn, new_changes)
        pruned += len(ids)
    used = exists().where(messages.c.attachment_sha256 == attachments.c.sha256)
    # "Freed" bytes were named by a message of a terminal that could read them (its own
    # upload, or a picture its site was sent: services.messaging), so no other
    # terminal's fresh upload of them is pending here.
    removable = or_(attachments.c.sha256.in_(sorted(freed)),
                    attachments.c.created_at < now - ATTACHMENT_GRACE)
    going = list(conn.execute(select(attachments.c.sha256).where(removable).where(~used))
                 .scalars())
    gone = 0
    store = attachments_repo.store_of(conn) if going else None
    for start in range(0, len(going), BATCH):
        chunk = going[start:start + BATCH]
        conn.execute(delete(attachment_uploads).where(attachment_uploads.c.sha256.in_(chunk)))
        gone += conn.execute(delete(attachments).where(attachments.c.sha256.in_(chunk))
                             .where(~used)).rowcount
        # Files last, inside the transaction, once their rows are deleted: the rows are
        # locked (PostgreSQL) or the database is (SQLite), so no upload of the same bytes
        # can insert its row and find its file then removed.
        still = set(conn.execute(select(attachments.c.sha256)
                                 .where(attachments.c.sha256.in_(chunk))).scalars())
        for sha256 in chunk:
            if sha256 not in still:
                assert store is not None
                store.delete(sha256)
    return PruneResult(messages=pruned, attachments=gone)


def sweep_orphan_files(db: Database, older_than: timedelta = ORPHAN_AGE) -> int:
    """Delete the store's files that no attachment row names (left by a transaction that
    rolled back after writing its file, or a crash between the two), once older than
    ``older_than``. Logged as a count."""
    with db.read() as conn:
        store = attachments_repo.store_of(conn)
        known = set(conn.execute(select(attachments.c.sha256)).scalars())
    gone = sweep_orphans(store, known, older_than.total_seconds())
    if gone:
        log.info("removed %d attachment files that no row names", gone)
    return gone


def prune(db: Database, now: datetime | None = None) -> PruneResult:
    """One prune in its own write transaction; logs counts, never message content."""
    with db.write() as conn:
        result = prune_expired(conn, now)
    if result.messages or result.attachments:
        log.info("pruned %d expired messages, %d attachments",
                 result.messages, result.attachments)
    return result


async def prune_periodically(db: Database, interval: float = PRUNE_INTERVAL_S) -> None:
    """Prune at start, then every ``interval`` seconds, until cancelled."""
    while True:
        try:
            await asyncio.to_thread(prune, db)
            await asyncio.to_thread(sweep_orphan_files, db)
        except Exception:
            log.exception("pruning expired messages failed; retrying later")
        await asyncio.sleep(interval)
