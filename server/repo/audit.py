"""The audit log: who changed what, when, before -> after. Append-only: this module
only adds rows and reads them; nothing in the server updates or deletes one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
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


@dataclass(frozen=True)
class Filters:
    """What the audit page asks for. ``scope``: the sites the caller may read (None:
    every site, and the entries without a site too)."""

    scope: set[int] | None
    unsited: bool = False  # also the entries of no site (accounts): HR admins only
    who: str = ""
    action: str = ""
    site_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def _where(query: Any, f: Filters) -> Any:
    if f.scope is not None:
        query = query.where(audit_log.c.site_id.in_(sorted(f.scope)))
    elif not f.unsited:
        query = query.where(audit_log.c.site_id.is_not(None))
    if f.who:
        query = query.where(func.lower(audit_log.c.actor).contains(f.who.lower(),
                                                                   autoescape=True))
    if f.action:
        query = query.where(audit_log.c.action == f.action)
    if f.site_id is not None:
        query = query.where(audit_log.c.site_id == f.site_id)
    if f.since is not None:
        query = query.where(audit_log.c.created_at >= f.since)
    if f.until is not None:
        query = query.where(audit_log.c.created_at < f.until)
    return query


def search(conn: Connection, f: Filters, limit: int = 50,
           offset: int = 0) -> tuple[list[Row[Any]], int]:
    """One page of entries matching ``f``, newest first, and how many match in all."""
    rows = conn.execute(_where(select(audit_log), f)
                        .order_by(audit_log.c.id.desc()).limit(limit).offset(offset))
    total = conn.execute(_where(select(func.count()).select_from(audit_log), f)).scalar_one()
    return list(rows), int(total)


def actions(conn: Connection, scope: set[int] | None, unsited: bool) -> list[str]:
    """The actions recorded at least once in ``scope``, for the filter's list."""
    query = select(audit_log.c.action).distinct().order_by(audit_log.c.action)
    return list(conn.scalars(_where(query, Filters(scope, unsited))))
