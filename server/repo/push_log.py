"""Every push item ever received, by client id: permanent deduplication."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from server.db.schema import push_log
from server.db.types import utcnow

# Ids per IN (...) query: far below every database's parameter limit.
CHUNK = 500


def get_many(conn: Connection, client_ids: Iterable[str]) -> dict[str, Row[Any]]:
    """The push_log rows of those ids that were received before, by client id."""
    ids = list(dict.fromkeys(client_ids))
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(ids), CHUNK):
        query = (select(push_log.c.client_id, push_log.c.status, push_log.c.error)
                 .where(push_log.c.client_id.in_(ids[start:start + CHUNK])))
        found.update((row.client_id, row) for row in conn.execute(query))
    return found


def new_row(client_id: str, terminal_id: int, seq: int, kind: str, status: str,
            error: dict[str, Any] | None) -> dict[str, Any]:
    """The push_log row of an item just applied (a push inserts them all at once)."""
    return {"client_id": client_id, "terminal_id": terminal_id, "seq": seq, "kind": kind,
            "status": status, "error": json.dumps(error) if error else None,
            "received_at": utcnow()}


def error_of(row: Row[Any]) -> dict[str, Any] | None:
    return json.loads(row.error) if row.error else None
