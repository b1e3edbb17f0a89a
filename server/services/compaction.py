"""Compacting the change log: a row that a newer row of the same entity and site makes
useless is dropped.

Pull sends the *current* state of each entity a row names (``services.pull``), so of
several rows for one employee, contact list or message, only the newest says anything:
a terminal whose cursor is before the older rows also passes the newest, and one past
the newest needs none of them.  Dropping the older ones is therefore safe for every
cursor, with no horizon and no reset, and a new terminal's first sync replays one row
per entity instead of the site's whole history.  Tombstones (the newest row of an
entity since deleted) stay: a terminal that still holds the entity must learn it is gone.

The work goes in batches of ids, each its own short write transaction, so that pushes
(punches) never wait long behind it.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Delete, delete, exists, func, select
from sqlalchemy.engine import Connection

from server.db import Database
from server.db.schema import changes

log = logging.getLogger("server.compaction")

BATCH_IDS = 20_000
COMPACT_INTERVAL_S = 3600.0


def superseded_rows(first_id: int, last_id: int) -> Delete:
    """The DELETE of the superseded rows with ids in [first_id, last_id]. A newer row of
    the same entity is found through ix_changes_entity_seq (revision 0013)."""
    newer = changes.alias("newer")
    superseded = exists().where(
        newer.c.entity == changes.c.entity,
        newer.c.entity_id == changes.c.entity_id,
        newer.c.site_id.is_not_distinct_from(changes.c.site_id),
        # newer by place, not id: ids are drawn at insert, places at commit
        newer.c.seq > changes.c.seq,
    )
    return delete(changes).where(changes.c.id.between(first_id, last_id)).where(superseded)


def compact_range(conn: Connection, first_id: int, last_id: int) -> int:
    """Drop the superseded rows with ids in [first_id, last_id]; how many went."""
    return conn.execute(superseded_rows(first_id, last_id)).rowcount or 0


def compact(db: Database, batch_ids: int = BATCH_IDS) -> int:
    """Compact the whole log, a batch of ids per transaction; the rows dropped."""
    with db.read() as conn:
        low, high = conn.execute(select(func.min(changes.c.id), func.max(changes.c.id))).one()
    if low is None:
        return 0
    dropped = 0
    for first in range(low, high + 1, batch_ids):
        with db.write() as conn:
            dropped += compact_range(conn, first, min(first + batch_ids - 1, high))
    if dropped:
        log.info("change log compacted: %d superseded rows dropped", dropped)
    return dropped


async def compact_periodically(db: Database, interval: float = COMPACT_INTERVAL_S) -> None:
    """Compact at start, then every ``interval`` seconds, until cancelled."""
    while True:
        try:
            await asyncio.to_thread(compact, db)
        except Exception:
            log.exception("compacting the change log failed; retrying later")
        await asyncio.sleep(interval)
