"""The change log that /v1/pull reads: (seq, site, entity, entity_id) rows.

Rows only name what changed; pull reads the current state of each entity. A row
with site_id NULL concerns every site.

A row's place in the log is its ``seq``; a terminal's cursor is the last place it has
seen. A pull must never pass a row that commits later with a lower place, so the rows
one site can see (its own and every-site rows) must become visible in ``seq`` order.
Rows are inserted with ``seq`` NULL; just before the transaction commits, ``_place``
gives them their places (a ``BEFORE_COMMIT`` hook of ``Database.write``):

- PostgreSQL: the transaction takes transaction-scoped advisory locks, first the
  every-site lock (exclusive if it wrote rows for every site, shared otherwise), then one
  lock per site it wrote rows for, in ascending order, then numbers its rows from the id
  sequence. The locks are held until commit, so writers of the same site, and every-site
  writers with anyone, place and commit one after the other; writers of different sites
  never wait on one another. Why this is enough: docs/sync-protocol.md, "Why a pull never
  misses a change".
- SQLite has one writer at a time (BEGIN IMMEDIATE): ids are in commit order, seq = id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, text, union_all, update
from sqlalchemy import insert as sa_insert
from sqlalchemy.engine import Connection

from server.db.engine import BEFORE_COMMIT, CHANGED_SITES
from server.db.schema import changes, server_meta
from server.db.types import utcnow

EVERY_SITE = None
# pg_advisory_xact_lock(LOCK_CLASS, site): "kclg" in ASCII, so that it reads as ours in
# pg_locks; the every-site stream is EVERY_SITE_LOCK (site ids start at 1).
LOCK_CLASS = int.from_bytes(b"kclg", "big")
EVERY_SITE_LOCK = -1

_NUMBER_ROWS = text("""
WITH mine AS (
    SELECT id, nextval((SELECT pg_get_serial_sequence('changes', 'id'))::regclass) AS seq
    FROM (SELECT id FROM changes WHERE seq IS NULL ORDER BY id) AS unplaced)
UPDATE changes SET seq = mine.seq FROM mine WHERE changes.id = mine.id
""")


def rows(entity: str, entity_id: Any,
         site_ids: Iterable[int | None] = (EVERY_SITE,)) -> list[dict[str, Any]]:
    """The change-log rows noting that ``entity`` changed for these sites (see ``insert``)."""
    now = utcnow()
    return [{"site_id": site, "entity": entity, "entity_id": str(entity_id), "created_at": now}
            for site in sorted(set(site_ids), key=lambda s: -1 if s is None else s)]


def insert(conn: Connection, new_rows: list[dict[str, Any]]) -> None:
    """Add change-log rows (made by ``rows``), in order; one statement for all of them.

    They get their places when the transaction commits (``Database.write``)."""
    if not new_rows:
        return
    conn.execute(sa_insert(changes), new_rows)
    conn.info.setdefault(CHANGED_SITES, set()).update(row["site_id"] for row in new_rows)
    conn.info.setdefault(BEFORE_COMMIT, {}).setdefault("changes", _place)


def record(conn: Connection, entity: str, entity_id: Any,
           site_ids: Iterable[int | None] = (EVERY_SITE,)) -> None:
    """Note that ``entity`` changed for these sites (None: every site)."""
    insert(conn, rows(entity, entity_id, site_ids))


def _place(conn: Connection) -> None:
    """Give this transaction's rows their places; last thing before the commit.

    Rows a rolled-back savepoint inserted are gone and get none; the sites they named
    are still locked, which costs nothing but a short wait."""
    unplaced = changes.c.seq.is_(None)
    if conn.dialect.name != "postgresql":
        conn.execute(update(changes).where(unplaced).values(seq=changes.c.id))
        return
    sites = conn.info.get(CHANGED_SITES, set())
    every = "pg_advisory_xact_lock" if None in sites else "pg_advisory_xact_lock_shared"
    conn.execute(text(f"SELECT {every}(CAST(:lock_class AS integer), CAST(:key AS integer))"),
                 {"lock_class": LOCK_CLASS, "key": EVERY_SITE_LOCK})
    # One at a time, in ascending order: every writer takes them in the same order, so
    # two writers never wait on each other in a circle.
    for site in sorted(s for s in sites if s is not None):
        conn.execute(text("SELECT pg_advisory_xact_lock(CAST(:lock_class AS integer), "
                          "CAST(:key AS integer))"),
                     {"lock_class": LOCK_CLASS, "key": site})
    conn.execute(_NUMBER_ROWS)


def latest_id(conn: Connection) -> int:
    """The newest place in the log (0: empty)."""
    return conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar_one()


def for_site(conn: Connection, site_id: int, after: int, limit: int) -> list[Any]:
    """Rows concerning ``site_id`` placed after ``after``, in place order: (seq, entity,
    entity_id). One statement, so one snapshot: the site's rows and the every-site rows
    are read at the same instant (docs/sync-protocol.md says why that matters)."""
    def stream(which: Any) -> Any:
        return (select(changes.c.seq, changes.c.entity, changes.c.entity_id)
                .where(which).where(changes.c.seq > after)
                .order_by(changes.c.seq).limit(limit).subquery())

    own, every = stream(changes.c.site_id == site_id), stream(changes.c.site_id.is_(None))
    both = union_all(select(own), select(every)).subquery()
    return list(conn.execute(select(both).order_by(both.c.seq).limit(limit)))


def sites_after(conn: Connection, after: int) -> tuple[int, set[int | None]]:
    """Newest place, and the sites concerned by rows placed after ``after`` (the SQLite
    watcher: there, places are in commit order)."""
    newest = latest_id(conn)
    if newest <= after:
        return newest, set()
    rows = conn.execute(select(changes.c.site_id).where(changes.c.seq > after).distinct())
    return newest, {row.site_id for row in rows}


def epoch(conn: Connection) -> str:
    """Random id of this database, made by the first migration."""
    query = select(server_meta.c.value).where(server_meta.c.key == "epoch")
    return conn.execute(query).scalar_one()
