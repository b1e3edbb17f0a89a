"""Numbered schema migrations, recorded in a ``schema_version`` table.

Each migration runs in its own transaction and is applied once. Migration 1
creates the version-1 tables; a later schema change is a new function below
(ALTER TABLE / CREATE TABLE written for it, portable SQL only) plus the matching
edit in ``schema.py``. ``tests/server/test_schema.py`` checks the two agree.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import Column, Integer, MetaData, Table, insert, inspect, select
from sqlalchemy.engine import Connection, Engine

from server.db import schema
from server.db.types import UtcDateTime, utcnow

_version_meta = MetaData()
schema_version = Table(
    "schema_version", _version_meta,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UtcDateTime, nullable=False),
)

V1_TABLES = (
    "server_meta", "sites", "employees", "badges", "staff_groups", "group_members",
    "contact_employees", "contact_groups", "terminals", "enrollment_codes", "attachments",
    "messages", "message_recipients", "punches", "push_log", "changes",
)


def _m001_initial(conn: Connection) -> None:
    tables = [schema.metadata.tables[name] for name in V1_TABLES]
    schema.metadata.create_all(conn, tables=tables)
    conn.execute(insert(schema.server_meta).values(key="epoch", value=secrets.token_hex(8)))


def _m002_reply_allowed(conn: Connection) -> None:
    # Migration 1 builds its tables from today's schema module, so on a new database
    # the column is there already; only a database made before it needs the ALTER.
    if "reply_allowed" in {c["name"] for c in inspect(conn).get_columns("messages")}:
        return
    conn.exec_driver_sql(
        "ALTER TABLE messages ADD COLUMN reply_allowed BOOLEAN NOT NULL DEFAULT TRUE")


def _m003_site_settings(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.site_settings])


def _m004_trust_boundary(conn: Connection) -> None:
    """Token rotation columns, employees on several sites, who uploaded what, the
    site setting for staff authority on terminals, and two lookup indexes.

    Migration 1 builds its tables from today's schema module: on a new database all of
    this exists already, so each step adds only what is missing.
    """
    added = {
        "terminals": ("token_issued_at", "token_last_used_at", "previous_token_hash",
                      "previous_token_expires_at", "previous_token_last_used_at"),
        "site_settings": ("terminal_staff_authority",),
    }
    for table_name, column_names in added.items():
        table = schema.metadata.tables[table_name]
        present = {c["name"] for c in inspect(conn).get_columns(table_name)}
        for name in column_names:
            if name not in present:
                column_type = table.c[name].type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table_name} ADD COLUMN {name} {column_type}")
    schema.metadata.create_all(conn, tables=[schema.employee_sites, schema.attachment_uploads])
    for table, index_name in ((schema.terminals, "ux_terminals_previous_token"),
                              (schema.messages, "ix_messages_attachment"),
                              (schema.changes, "ix_changes_entity")):
        index = next(i for i in table.indexes if i.name == index_name)
        index.create(conn, checkfirst=True)
    uploads = schema.attachment_uploads
    already = select(uploads.c.sha256).where(uploads.c.sha256 == schema.attachments.c.sha256)
    conn.execute(insert(uploads).from_select(
        ["sha256", "terminal_id", "created_at"],
        select(schema.attachments.c.sha256, schema.attachments.c.terminal_id,
               schema.attachments.c.created_at)
        .where(schema.attachments.c.terminal_id.is_not(None)).where(~already.exists())))


MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = (
    (1, _m001_initial),
    (2, _m002_reply_allowed),
    (3, _m003_site_settings),
    (4, _m004_trust_boundary),
)
LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    """Highest applied migration, 0 for an empty database."""
    _version_meta.create_all(conn)
    versions = conn.execute(select(schema_version.c.version)).scalars().all()
    return max(versions, default=0)


def migrate(engine: Engine) -> int:
    """Apply every pending migration; return the resulting version."""
    with engine.begin() as conn:
        _version_meta.create_all(conn)
    for version, step in MIGRATIONS:
        with engine.connect() as conn:
            conn.execution_options(kiosk_write=True)
            with conn.begin():
                if version <= current_version(conn):
                    continue
                step(conn)
                conn.execute(insert(schema_version).values(version=version, applied_at=utcnow()))
    return LATEST_VERSION
