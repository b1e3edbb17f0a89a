"""Every push item ever received, by client id: permanent deduplication."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Row

from server.db.schema import push_log
from server.db.types import utcnow


def get(conn: Connection, client_id: str) -> Row[Any] | None:
    return conn.execute(select(push_log).where(push_log.c.client_id == client_id)).first()


def record(conn: Connection, client_id: str, terminal_id: int, seq: int, kind: str,
           status: str, error: dict[str, Any] | None) -> None:
    conn.execute(insert(push_log).values(
        client_id=client_id, terminal_id=terminal_id, seq=seq, kind=kind, status=status,
        error=json.dumps(error) if error else None, received_at=utcnow()))


def error_of(row: Row[Any]) -> dict[str, Any] | None:
    return json.loads(row.error) if row.error else None
