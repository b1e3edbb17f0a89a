"""Forgetting what has expired: messages past their ``expires_at`` and unused attachments.

The inbox already hides an expired message (``kiosk.messages._VISIBLE``); this
removes it from the disk, with its recipients, and then every attachment that no
message uses any more.  What is still to be sent is never touched: a message with
a queued outbox item, and an attachment that a queued item names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from kiosk.storage import transaction


@dataclass(frozen=True)
class PruneResult:
    messages: int
    attachments: int


_EXPIRED = (
    "SELECT m.id FROM messages m WHERE m.expires_at IS NOT NULL AND m.expires_at <= ? "
    "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = m.id AND o.state = 'queued')"
)

_UNUSED_ATTACHMENTS = (
    "DELETE FROM attachments WHERE NOT EXISTS "
    "(SELECT 1 FROM messages m WHERE m.attachment_sha256 = attachments.sha256) "
    "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.state = 'queued' AND o.kind = 'message' "
    "AND json_extract(o.payload, '$.attachment_sha256') = attachments.sha256)"
)


def prune_expired(db: sqlite_utils.Database, now: datetime | None = None) -> PruneResult:
    """Delete expired messages, their recipients and unused attachments, in one transaction."""
    # Stored times are UTC ISO strings (see kiosk.messages._utc): text order is time order.
    cutoff = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
    with transaction(db) as conn:
        ids = [(row[0],) for row in conn.execute(_EXPIRED, (cutoff,))]
        conn.executemany("DELETE FROM message_recipients WHERE message_id = ?", ids)
        conn.executemany("DELETE FROM messages WHERE id = ?", ids)
        attachments = conn.execute(_UNUSED_ATTACHMENTS).rowcount
    return PruneResult(messages=len(ids), attachments=attachments)
