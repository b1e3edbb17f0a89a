"""The audit log: who changed what, when, before -> after. Append-only: this module
only adds rows and reads them; nothing in the server updates or deletes one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Row

from server.db.schema import audit_log
from server.db.types import utcnow


@dataclass(frozen=True)
class Actor:
    """Who makes a change: ``label`` is "cli" or "console:<email>"."""

    label: str
    account_id: int | None = None


CLI = Actor("cli")


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value differs (missing: None)."""
    return {key: [before.get(key), after.get(key)]
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)}


def record(conn: Connection, actor: Actor, action: str, entity: str, entity_id: Any,
           before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
           site_id: int | None = None) -> None:
    """Add one entry. Only the fields that changed between ``before`` and ``after`` are
    kept. Callers never pass secrets (passwords, tokens) or message bodies here."""
    changed = diff(before or {}, after or {})
    conn.execute(insert(audit_log).values(
        created_at=utcnow(), actor=actor.label, account_id=actor.account_id, action=action,
        entity=entity, entity_id=str(entity_id), site_id=site_id,
        changes=json.dumps(changed, default=str, ensure_ascii=False)))


def entries(conn: Connection, entity: str | None = None, entity_id: Any = None,
            limit: int = 200) -> list[Row[Any]]:
    """Newest first."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(audit_log.c.entity == entity)
    if entity_id is not None:
        query = query.where(audit_log.c.entity_id == str(entity_id))
    return list(conn.execute(query))
