"""Forgetting what has expired: messages past their ``expires_at`` and unused attachments.

The inbox already hides an expired message (``kiosk.domain.messages._VISIBLE``); this
removes it from the disk, with its recipients, and then every attachment that no
message uses any more.  What is still to be sent is never touched: a message with
a queued outbox item, and an attachment that a queued item names.

Most messages never expire (a worker's own, most colleagues'), and photos would fill
the SD card over the years.  So a photo or drawing only messages older than
``ATTACHMENT_KEEP_DAYS`` use goes too: those messages keep their text and lose their
picture here (the server keeps it).  Kept: an attachment a younger message uses, or
one whose message HR set to show until a date not yet reached.

The runtime prunes by the server's time: this terminal's clock corrected by the
offset the sync worker measured (``kiosk.sync.status.server_offset``).  A terminal whose
clock is off by more than ``server.clock_warning_s`` (a Raspberry Pi without its
battery clock, a hand-set date) prunes nothing: a clock a year ahead would otherwise
delete every picture and every message with an expiry date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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

ATTACHMENT_KEEP_DAYS = 30

# Pictures whose messages were all created before the cutoff (?1), none of them shown
# until a later expiry (?2: now), none being sent. One pass over the messages that
# still have a picture (those of the last ATTACHMENT_KEEP_DAYS, once pruned), with no
# index needed on attachment_sha256; the outbox lookups go by its id and state indexes.
_AGED_ATTACHMENTS = (
    "SELECT m.attachment_sha256 FROM messages m WHERE m.attachment_sha256 IS NOT NULL "
    "GROUP BY m.attachment_sha256 "
    "HAVING max(m.created_at) < ?1 AND coalesce(max(m.expires_at), '') <= ?2 "
    "AND NOT max(EXISTS (SELECT 1 FROM outbox o WHERE o.id = m.id AND o.state = 'queued')) "
    "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.state = 'queued' AND o.kind = 'message' "
    "AND json_extract(o.payload, '$.attachment_sha256') = m.attachment_sha256)"
)

# NOT IN over a subquery: SQLite builds the list once (a correlated NOT EXISTS scanned
# every message for each attachment: 10 s for 10,000 of each on a PC, on the core).
_UNUSED_ATTACHMENTS = (
    "DELETE FROM attachments WHERE sha256 NOT IN "
    "(SELECT attachment_sha256 FROM messages WHERE attachment_sha256 IS NOT NULL) "
    "AND sha256 NOT IN (SELECT json_extract(payload, '$.attachment_sha256') FROM outbox "
    "WHERE state = 'queued' AND kind = 'message' "
    "AND json_extract(payload, '$.attachment_sha256') IS NOT NULL)"
)


def prune_expired(db: sqlite_utils.Database, now: datetime | None = None,
                  keep_days: float = ATTACHMENT_KEEP_DAYS) -> PruneResult:
    """Delete expired messages, their recipients, the pictures of messages older than
    ``keep_days`` and unused attachments, in one transaction."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    # Stored times are UTC ISO strings (see kiosk.domain.messages._utc): text order is time order.
    cutoff = when.isoformat()
    aged_before = (when - timedelta(days=keep_days)).isoformat()
    with transaction(db) as conn:
        ids = [(row[0],) for row in conn.execute(_EXPIRED, (cutoff,))]
        conn.executemany("DELETE FROM message_recipients WHERE message_id = ?", ids)
        conn.executemany("DELETE FROM messages WHERE id = ?", ids)
        # The messages let go of their picture (not only its bytes: a message naming
        # bytes that are not here would have the pull download them again).
        aged = [(row[0],) for row in conn.execute(_AGED_ATTACHMENTS, (aged_before, cutoff))]
        conn.executemany("UPDATE messages SET attachment_sha256 = NULL "
                         "WHERE attachment_sha256 = ?", aged)
        attachments = conn.execute(_UNUSED_ATTACHMENTS).rowcount
    return PruneResult(messages=len(ids), attachments=attachments)
