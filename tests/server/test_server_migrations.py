"""Alembic migrations of the server's schema, on SQLite and (where available) PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from server_testkit import run_cli
from sqlalchemy import column, func, insert, inspect, select, table
from sqlalchemy.engine import Connection

from server.db import Database, migrations, url_from_path
from server.db.migrations import (
    OLD_VERSION_REVISIONS,
    alembic_config,
    comparison_options,
    current_revision,
    head_revision,
    migration_connection,
)
from server.db.schema import (
    attachment_uploads,
    attachments,
    employees,
    message_recipients,
    messages,
    metadata,
    punches,
    server_meta,
    sites,
    terminals,
)

NOW = datetime(2026, 3, 2, 7, 58, tzinfo=UTC)
DATA = b"x"
SHA = hashlib.sha256(DATA).hexdigest()
# The attachments table as revisions before 0011 had it: the bytes in a column.
OLD_ATTACHMENTS = table("attachments", *(column(name) for name in (
    "sha256", "content_type", "size", "data", "terminal_id", "created_at")))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database: a new SQLite file, or a new PostgreSQL database (skipped where
    PostgreSQL or psycopg is missing)."""
    if request.param == "sqlite":
        url = url_from_path(tmp_path / "m.db")
    else:
        url = request.getfixturevalue("pg_url")
    db = Database(url, attachment_store=str(tmp_path / "attachments"))
    yield db
    db.dispose()


def differences(db: Database) -> list[Any]:
    """What Alembic's autogenerate finds between the database and schema.py."""
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts=comparison_options()),
                                metadata)


def upgrade_to(db: Database, revision: str) -> None:
    with migration_connection(db.engine) as conn:
        command.upgrade(alembic_config(conn, db.attachments), revision)


def as_old_migrator_left_it(db: Database, version: int) -> None:
    """Turn a database at revision ``OLD_VERSION_REVISIONS[version]`` into what the numbered
    migrator left at that version: a ``schema_version`` table and no ``alembic_version``."""
    with db.write() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                             "applied_at TIMESTAMP NOT NULL)")
        for number in range(1, version + 1):
            conn.exec_driver_sql("INSERT INTO schema_version (version, applied_at) "
                                 f"VALUES ({number}, CURRENT_TIMESTAMP)")


def seed_version_1_rows(conn: Connection) -> None:
    """A site, an employee, a terminal, an attachment it uploaded, a message carrying it
    with one recipient, and a punch: columns of revision 0001 only."""
    conn.execute(insert(sites).values(id=1, name="Plant A", timezone="Europe/Paris",
                                      language="fr", created_at=NOW))
    conn.execute(insert(employees).values(id=1, name="Alice", role="worker", language="fr",
                                          active=True, moderated=False, site_id=1,
                                          created_at=NOW))
    conn.execute(insert(terminals).values(id=1, name="T", site_id=1, token_hash="t" * 64,
                                          created_at=NOW))
    conn.execute(insert(OLD_ATTACHMENTS).values(sha256=SHA, content_type="image/png", size=1,
                                                data=DATA, terminal_id=1, created_at=NOW))
    conn.execute(insert(messages).values(
        id="m1", thread_id="m1", sender_id=1, origin_terminal_id=1, kind="photo", body="",
        attachment_sha256=SHA, to_employees="[1]", to_groups="[]", ack_required=False,
        created_at=NOW, status="approved"))
    conn.execute(insert(message_recipients).values(message_id="m1", employee_id=1,
                                                   site_id=1))
    conn.execute(insert(punches).values(
        id="p1", employee_id=1, terminal_id=1, direction="IN",
        wall_time="2026-03-02T08:58:00+01:00", wall_time_utc=NOW, monotonic_ns=1,
        boot_id="b", received_at=NOW))


def epoch(db: Database) -> str:
    with db.read() as conn:
        return conn.execute(select(server_meta.c.value)
                            .where(server_meta.c.key == "epoch")).scalar_one()


def test_upgrade_head_on_an_empty_database_matches_the_schema_module(
        empty_db: Database) -> None:
    assert empty_db.migrate() == head_revision()
    assert differences(empty_db) == []


def test_the_comparison_sees_a_column_schema_py_does_not_have(empty_db: Database) -> None:
    """The test above could pass by comparing nothing: a stray column must show."""
    empty_db.migrate()
    with empty_db.write() as conn:
        conn.exec_driver_sql("ALTER TABLE sites ADD COLUMN stray INTEGER")
    assert [diff[0] for diff in differences(empty_db)] == ["remove_column"]


def test_a_database_of_the_old_migrator_at_version_3_is_brought_to_head(
        empty_db: Database) -> None:
    upgrade_to(empty_db, OLD_VERSION_REVISIONS[3])
    with empty_db.write() as conn:
        seed_version_1_rows(conn)
    before = epoch(empty_db)
    as_old_migrator_left_it(empty_db, 3)

    assert empty_db.migrate() == head_revision()

    tables = set(inspect(empty_db.engine).get_table_names())
    assert "schema_version" not in tables
    assert differences(empty_db) == []
    assert epoch(empty_db) == before
    with empty_db.read() as conn:
        assert current_revision(conn) == head_revision()
        assert conn.execute(select(messages.c.id, messages.c.reply_allowed)).all() == [
            ("m1", True)]
        # Revision 0004 copied who uploaded the attachment into attachment_uploads.
        assert conn.execute(select(attachment_uploads.c.sha256,
                                   attachment_uploads.c.terminal_id)).all() == [(SHA, 1)]


@pytest.mark.parametrize("version", sorted(OLD_VERSION_REVISIONS))
def test_each_old_schema_version_is_stamped_as_its_revision_then_upgraded(
        tmp_path: Path, version: int) -> None:
    db = Database(url_from_path(tmp_path / "old.db"))
    upgrade_to(db, OLD_VERSION_REVISIONS[version])
    as_old_migrator_left_it(db, version)
    assert db.migrate() == head_revision()
    assert "schema_version" not in inspect(db.engine).get_table_names()
    assert differences(db) == []
    db.dispose()


def test_messages_from_before_reply_allowed_keep_taking_replies(tmp_path: Path) -> None:
    db = Database(url_from_path(tmp_path / "old.db"))
    upgrade_to(db, OLD_VERSION_REVISIONS[1])
    with db.write() as conn:
        seed_version_1_rows(conn)
    as_old_migrator_left_it(db, 1)
    db.migrate()
    with db.read() as conn:
        assert conn.execute(select(messages.c.reply_allowed)).scalar_one() is True
    db.dispose()


def test_an_old_database_whose_first_migration_never_committed_is_built_afresh(
        tmp_path: Path) -> None:
    """The old migrator created schema_version on its own, before migration 1."""
    db = Database(url_from_path(tmp_path / "old.db"))
    with db.write() as conn:
        conn.exec_driver_sql("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                             "applied_at TIMESTAMP NOT NULL)")
    assert db.migrate() == head_revision()
    assert differences(db) == []
    db.dispose()


def test_a_failed_upgrade_leaves_the_old_database_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamping, dropping schema_version and upgrading are one transaction."""
    db = Database(url_from_path(tmp_path / "old.db"))
    upgrade_to(db, OLD_VERSION_REVISIONS[3])
    as_old_migrator_left_it(db, 3)

    def broken_upgrade(*_args: object) -> None:
        raise RuntimeError("revision failed")

    monkeypatch.setattr(migrations.command, "upgrade", broken_upgrade)
    with pytest.raises(RuntimeError, match="revision failed"):
        db.migrate()
    tables = set(inspect(db.engine).get_table_names())
    assert "schema_version" in tables and "alembic_version" not in tables
    assert "employee_sites" not in tables
    monkeypatch.undo()
    assert db.migrate() == head_revision()
    db.dispose()


def test_migrating_twice_changes_nothing(empty_db: Database) -> None:
    empty_db.migrate()
    first_epoch = epoch(empty_db)
    assert empty_db.migrate() == head_revision()
    assert epoch(empty_db) == first_epoch
    with empty_db.read() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM alembic_version").scalar_one() == 1
    assert differences(empty_db) == []


def test_concurrent_first_opens_of_a_new_database_migrate_it_once(
        empty_db: Database) -> None:
    """Four servers (or admin commands) opening the same new database at once."""
    url = empty_db.url
    barrier = threading.Barrier(4)
    results: list[str] = []
    errors: list[BaseException] = []

    def open_and_migrate() -> None:
        db = Database(url)
        try:
            barrier.wait()
            results.append(db.migrate())
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=open_and_migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert results == [head_revision()] * 4
    with empty_db.read() as conn:
        keys = sorted(row.key for row in conn.execute(select(server_meta)))
        assert keys == ["epoch", "seal_private_key"]  # one epoch, one key pair: one run
    assert differences(empty_db) == []


def test_downgrading_rebuilds_referenced_tables_with_their_rows(empty_db: Database) -> None:
    """Down to 0001 and up again: on SQLite batch mode rebuilds ``messages`` and
    ``terminals``, which other rows point at, inside the one migration transaction.
    The attachment's bytes go to the store (0011) and back into the database."""
    upgrade_to(empty_db, "0006")
    with empty_db.write() as conn:
        seed_version_1_rows(conn)
    empty_db.migrate()
    checks_before = {name: inspect(empty_db.engine).get_check_constraints(name)
                     for name in ("messages", "punches")}
    with migration_connection(empty_db.engine) as conn:
        command.downgrade(alembic_config(conn, empty_db.attachments), OLD_VERSION_REVISIONS[1])
    columns = {c["name"] for c in inspect(empty_db.engine).get_columns("terminals")}
    assert "previous_token_hash" not in columns
    empty_db.migrate()
    assert differences(empty_db) == []
    assert {name: inspect(empty_db.engine).get_check_constraints(name)
            for name in checks_before} == checks_before
    with empty_db.read() as conn:
        for table in (terminals, messages, message_recipients, punches, attachments):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 1
        assert conn.execute(select(messages.c.reply_allowed)).scalar_one() is True


def test_a_sqlite_migration_leaving_a_dangling_reference_is_rolled_back(
        tmp_path: Path) -> None:
    """Foreign-key checks are off during a run (for batch rebuilds), not skipped."""
    db = Database(url_from_path(tmp_path / "m.db"))
    db.migrate()
    with pytest.raises(RuntimeError, match="broken foreign keys"), \
            migration_connection(db.engine) as conn:
        conn.execute(insert(employees).values(id=7, name="Nobody", role="worker",
                                              language="fr", active=True, moderated=False,
                                              site_id=99, created_at=NOW))
    with db.read() as conn:
        assert conn.execute(select(employees)).all() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    db.dispose()


def test_migrate_command_reports_the_revision(tmp_path: Path) -> None:
    done = run_cli(tmp_path / "cli.db", "migrate", "--json")
    assert json.loads(done.stdout)["schema_version"] == head_revision()
