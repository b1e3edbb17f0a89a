"""The change log that /v1/pull reads: (id, site, entity, entity_id) rows.

Rows only name what changed; pull reads the current state of each entity. A row
with site_id NULL concerns every site. Ids must become visible in commit order:
SQLite serializes writers (BEGIN IMMEDIATE); on other databases writers take a
table lock before adding rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy import insert as sa_insert
from sqlalchemy.engine import Connection

from server.db.engine import CHANGED_SITES
from server.db.schema import changes, server_meta
from server.db.types import utcnow

EVERY_SITE = None


def rows(entity: str, entity_id: Any,
         site_ids: Iterable[int | None] = (EVERY_SITE,)) -> list[dict[str, Any]]:
    """The change-log rows noting that ``entity`` changed for these sites (see ``insert``)."""
    now = utcnow()
    return [{"site_id": site, "entity": entity, "entity_id": str(entity_id), "created_at": now}
            for site in sorted(set(site_ids), key=lambda s: -1 if s is None else s)]


def insert(conn: Connection, new_rows: list[dict[str, Any]]) -> None:
    """Add change-log rows (made by ``rows``), in order; one statement for all of them."""
    if not new_rows:
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE changes IN SHARE ROW EXCLUSIVE MODE")
    conn.execute(sa_insert(changes), new_rows)
    conn.info.setdefault(CHANGED_SITES, set()).update(row["site_id"] for row in new_rows)


def record(conn: Connection, entity: str, entity_id: Any,
           site_ids: Iterable[int | None] = (EVERY_SITE,)) -> None:
    """Note that ``entity`` changed for these sites (None: every site)."""
    insert(conn, rows(entity, entity_id, site_ids))


def latest_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(changes.c.id), 0))).scalar_one()


def for_site(conn: Connection, site_id: int, after: int, limit: int) -> list[Any]:
    """Rows concerning ``site_id`` with id > after, oldest first."""
    query = (
        select(changes.c.id, changes.c.entity, changes.c.entity_id)
        .where(changes.c.id > after)
        .where(or_(changes.c.site_id == site_id, changes.c.site_id.is_(None)))
        .order_by(changes.c.id)
        .limit(limit)
    )
    return list(conn.execute(query))


def sites_after(conn: Connection, after: int) -> tuple[int, set[int | None]]:
    """Newest id, and the sites concerned by rows newer than ``after``."""
    newest = latest_id(conn)
    if newest <= after:
        return newest, set()
    rows = conn.execute(select(changes.c.site_id).where(changes.c.id > after).distinct())
    return newest, {row.site_id for row in rows}


def epoch(conn: Connection) -> str:
    """Random id of this database, made by the first migration."""
    query = select(server_meta.c.value).where(server_meta.c.key == "epoch")
    return conn.execute(query).scalar_one()
