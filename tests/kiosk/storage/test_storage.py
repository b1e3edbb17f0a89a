"""The SQLite file: durable settings, migrations, atomic writes, clear errors."""

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kiosk.storage import StorageError, open_database, transaction
from kiosk.storage.migrations import MIGRATIONS, schema_version

REPO = Path(__file__).resolve().parents[3]


def test_a_new_database_uses_wal_with_full_sync_and_a_busy_timeout(tmp_path):
    db = open_database(tmp_path / "k.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_migrations_bring_a_new_database_to_the_latest_version(tmp_path):
    db = open_database(tmp_path / "k.sqlite3")
    assert schema_version(db) == len(MIGRATIONS)
    for table in ("employees", "badges", "groups", "group_members", "contacts",
                  "messages", "message_recipients", "punches", "outbox"):
        assert db[table].exists(), table


def test_reopening_does_not_reapply_migrations(tmp_path):
    open_database(tmp_path / "k.sqlite3").conn.close()
    db = open_database(tmp_path / "k.sqlite3")
    assert schema_version(db) == len(MIGRATIONS)


def test_a_database_newer_than_the_software_is_refused_clearly(tmp_path):
    path = tmp_path / "k.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StorageError, match="upgrade the terminal software"):
        open_database(path)


def test_a_transaction_that_fails_leaves_nothing_behind(tmp_path):
    db = open_database(tmp_path / "k.sqlite3")
    with pytest.raises(RuntimeError), transaction(db) as conn:
        conn.execute("INSERT INTO groups (id, name) VALUES (1, 'G')")
        raise RuntimeError("power cut")
    assert db.execute("SELECT count(*) FROM groups").fetchone()[0] == 0


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder the terminal cannot write: a read-only tmpfs as root, else a 0555 folder."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                                 capture_output=True)
        if mounted.returncode != 0:
            pytest.skip("root without mount: cannot make a read-only folder")
        yield folder
        subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o700)


def test_a_read_only_folder_gives_a_storage_error_naming_the_folder(read_only_folder):
    with pytest.raises(StorageError, match=str(read_only_folder)):
        open_database(read_only_folder / "k.sqlite3")


def test_a_data_folder_that_cannot_be_created_gives_a_storage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot create the data folder"):
        open_database(blocker / "data" / "k.sqlite3")


def test_two_connections_opening_a_new_database_at_once_migrate_it_once(tmp_path):
    import threading

    errors: list[Exception] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        start.wait()
        try:
            open_database(tmp_path / "k.sqlite3").conn.close()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert schema_version(open_database(tmp_path / "k.sqlite3")) == len(MIGRATIONS)
