"""Schema migrations: the Alembic revisions in ``server/db/alembic/versions``.

``migrate()`` brings a database to the newest revision in one transaction that holds
the database's write lock. Alembic is configured from here (no alembic.ini); its
``env.py`` runs on the connection given in ``config.attributes["connection"]``.

Databases made before Alembic carry the retired migrator's ``schema_version`` table
(versions 1 to 4, each the same step as revisions 0001 to 0004): ``migrate()`` stamps the
matching revision and drops that table, in the same transaction as the upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from server.db.seal_key import ensure_seal_keys

SCRIPT_LOCATION = Path(__file__).with_name("alembic")
# schema_version of the retired numbered migrator -> the revision that did the same step.
OLD_VERSION_REVISIONS = {1: "0001", 2: "0002", 3: "0003", 4: "0004"}
# pg_advisory_xact_lock key serialising migrations on PostgreSQL (b"kioskmig").
_PG_LOCK_KEY = int.from_bytes(b"kioskmig", "big")


def comparison_options() -> dict[str, Any]:
    """How autogenerate compares a database with ``schema.py`` (env.py and the tests).

    Types and server defaults are compared. UtcDateTime needs no rule of its own: Alembic
    compares a TypeDecorator by its ``impl``, DateTime(timezone=True), which PostgreSQL
    reflects as TIMESTAMP WITH TIME ZONE. SQLite has no time zone type (UtcDateTime stores
    naive UTC there) and reflects DATETIME either way, so a timezone mismatch can only
    show on PostgreSQL: the schema test runs there too.
    """
    return {"compare_type": True, "compare_server_default": True}


def alembic_config(connection: Connection, attachment_store: Any = None) -> Config:
    """Alembic's configuration for this package, running on ``connection``; revisions
    that move attachment bytes find their store in ``attributes["attachment_store"]``
    (a ``server.attachment_store.LazyStore``)."""
    config = Config()
    config.attributes["attachment_store"] = attachment_store
    # ConfigParser interpolates "%": a path may contain one.
    config.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in ``versions/``."""
    head = ScriptDirectory(str(SCRIPT_LOCATION)).get_current_head()
    assert head is not None, "no revisions in server/db/alembic/versions"
    return head


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at; None before the first one."""
    return MigrationContext.configure(conn).get_current_revision()


def _sqlite_pragma(conn: Connection, pragma: str) -> None:
    # Straight to the driver: through SQLAlchemy the statement would open a transaction,
    # and SQLite ignores PRAGMA foreign_keys inside one.
    driver_connection = conn.connection.driver_connection
    assert driver_connection is not None
    driver_connection.execute(f"PRAGMA {pragma}")


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the database's write lock for a whole migration run.

    Two processes opening a new database at once: the second waits for the first one's
    commit (SQLite BEGIN IMMEDIATE, a PostgreSQL advisory lock), then finds it up to date.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            conn.execution_options(kiosk_write=True)
            # A batch revision rebuilds a table (copy, drop, rename), and with foreign keys
            # enforced SQLite refuses to drop a table other rows point at. SQLite's own
            # procedure for this: checks off outside the transaction, one check at the end.
            _sqlite_pragma(conn, "foreign_keys=OFF")
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": _PG_LOCK_KEY})
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                _sqlite_pragma(conn, "foreign_keys=ON")


def _adopt_old_migrator(conn: Connection, config: Config) -> None:
    """A database of the numbered migrator: stamp its revision, drop ``schema_version``.

    The table is dropped here rather than by a revision: it belongs to the old migrator,
    not to the schema's history, and a new database never has one, so a revision would
    have to check whether it exists. Dropped in the transaction that stamps, there is never
    a database carrying two version records.
    """
    tables = set(inspect(conn).get_table_names())
    if "schema_version" not in tables or "alembic_version" in tables:
        return
    old = conn.exec_driver_sql("SELECT MAX(version) FROM schema_version").scalar()
    # None: the old migrator's first migration never committed, the database is empty.
    if old is not None:
        if old not in OLD_VERSION_REVISIONS:
            raise RuntimeError(f"schema_version {old} is newer than any this server knows")
        command.stamp(config, OLD_VERSION_REVISIONS[old])
    conn.exec_driver_sql("DROP TABLE schema_version")


def migrate(engine: Engine, attachment_store: Any = None) -> str:
    """Apply every pending revision; return the revision the database is now at."""
    with migration_connection(engine) as conn:
        config = alembic_config(conn, attachment_store)
        _adopt_old_migrator(conn, config)
        command.upgrade(config, "head")
        # Data, not schema: the sealing key pair a new database needs (no revision:
        # server_meta holds it, and a database of any revision may lack it).
        ensure_seal_keys(conn)
        revision = current_revision(conn)
    assert revision is not None
    return revision
