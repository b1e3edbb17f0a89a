"""Doctor's storage checks on real folders and SQLite files."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.doctor.storage import check_data_dir, check_database, check_disk
from kiosk.storage import open_database
from tests.support.damaged_db import damage_middle_pages, fill_outbox


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.sqlite3"
    open_database(path).conn.close()
    return path


def queue_item(database: Path, age: timedelta, state: str = "queued") -> None:
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("INSERT INTO outbox (id, kind, payload, created_at, state) "
                     "VALUES (hex(randomblob(16)), 'punch', '{}', ?, ?)",
                     ((datetime.now(UTC) - age).isoformat(), state))
    conn.close()


def test_writable_data_dir_passes_and_keeps_no_probe_file(tmp_path: Path) -> None:
    check = check_data_dir(tmp_path)
    assert check.ok
    assert list(tmp_path.iterdir()) == []


def test_data_dir_below_a_file_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    check = check_data_dir(tmp_path / "file" / "data")
    assert not check.ok and check.severity == "error"
    assert "cannot be created" in check.summary and "terminal.data_dir" in check.fix


def test_data_dir_that_is_a_file_fails(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("x")
    check = check_data_dir(tmp_path / "data")
    assert not check.ok and "is a file" in check.summary


def test_missing_data_dir_with_writable_parent_passes_and_is_not_created(tmp_path: Path) -> None:
    check = check_data_dir(tmp_path / "data")
    assert check.ok and "creates it" in check.summary
    assert not (tmp_path / "data").exists()


def test_disk_check_reports_free_space(tmp_path: Path) -> None:
    check = check_disk(tmp_path / "not-yet")
    assert "MB free" in check.summary and str(tmp_path) in check.summary


def test_database_schema_version_is_reported(database: Path) -> None:
    [db_check, outbox] = check_database(database, syncing=True)
    from kiosk.storage.migrations import MIGRATIONS

    assert db_check.ok and f"schema version {len(MIGRATIONS)} (current)" in db_check.summary
    assert outbox.ok and "empty" in outbox.summary


def test_database_newer_than_the_software_is_an_error(database: Path) -> None:
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    [check] = check_database(database, syncing=True)
    assert not check.ok and check.severity == "error" and "newer" in check.summary


def test_damaged_database_is_an_error_that_says_to_keep_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    [check] = check_database(path, syncing=True)
    assert not check.ok and "keep a copy" in check.fix


def test_missing_database_passes(tmp_path: Path) -> None:
    [check] = check_database(tmp_path / "kiosk.sqlite3", syncing=True)
    assert check.ok and "not created yet" in check.summary


def test_queued_item_older_than_an_hour_warns_when_syncing(database: Path) -> None:
    queue_item(database, timedelta(hours=2))
    queue_item(database, timedelta(minutes=1))
    outbox = check_database(database, syncing=True)[1]
    assert not outbox.ok and outbox.severity == "warning"
    assert "2 outbox items" in outbox.summary and "2.0 h" in outbox.summary


def test_recent_queued_items_pass(database: Path) -> None:
    queue_item(database, timedelta(minutes=5))
    assert check_database(database, syncing=True)[1].ok


def test_old_items_of_an_offline_only_terminal_do_not_warn(database: Path) -> None:
    queue_item(database, timedelta(days=3))
    outbox = check_database(database, syncing=False)[1]
    assert outbox.ok and "does not sync" in outbox.summary


def test_rejected_items_are_counted(database: Path) -> None:
    queue_item(database, timedelta(hours=1), state="rejected")
    rejected = check_database(database, syncing=True)[2]
    assert rejected.name == "rejected" and not rejected.ok
    assert "1 outbox item refused" in rejected.summary


def test_database_check_writes_nothing(database: Path) -> None:
    before = database.stat().st_mtime_ns
    check_database(database, syncing=True)
    assert database.stat().st_mtime_ns == before


def test_a_database_with_damaged_pages_is_an_error_with_what_site_it_should_do(tmp_path: Path):
    path = tmp_path / "kiosk.sqlite3"
    fill_outbox(path)
    damage_middle_pages(path)
    check = check_database(path, syncing=True)[0]
    assert (check.name, check.ok, check.severity) == ("database", False, "error")
    assert "damaged" in check.summary
    assert "keep a copy" in check.fix and "do not delete" in check.fix


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 command here")
def test_the_recovery_the_fix_describes_brings_the_waiting_punches_back(tmp_path: Path):
    path = tmp_path / "kiosk.sqlite3"
    fill_outbox(path, punches=5, filler=3000)
    damage_middle_pages(path)
    # The fix's steps, in the data folder (the service stop and start aside).
    subprocess.run("sqlite3 kiosk.sqlite3 .dump > kiosk-dump.sql; mkdir aside; "
                   "mv kiosk.sqlite3* aside/", shell=True, cwd=tmp_path, check=True)
    open_database(path).conn.close()  # "start the terminal once and stop it"
    subprocess.run("grep -E '^INSERT INTO (outbox|sealed_uploads) ' kiosk-dump.sql "
                   "| sqlite3 kiosk.sqlite3",
                   shell=True, cwd=tmp_path, check=True)
    [db_check, outbox, *_] = check_database(path, syncing=True)
    assert db_check.ok
    conn = sqlite3.connect(path)
    punches = conn.execute("SELECT count(*) FROM outbox WHERE kind = 'punch' "
                           "AND state = 'queued'").fetchone()[0]
    conn.close()
    assert punches == 5  # written first, before the damaged middle of the file


def test_changes_set_aside_are_a_warning_that_says_what_to_do(database: Path):
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("INSERT INTO pull_quarantine (change_type, change, error, quarantined_at) "
                     "VALUES ('message', '{}', 'KeyError: ''body''', '2026-01-01T00:00:00Z')")
    conn.close()
    [check] = [c for c in check_database(database, syncing=True) if c.name == "quarantine"]
    assert (check.ok, check.severity) == (False, "warning")
    assert "1 change from the server was not applied" in check.summary
    assert "upgrade the terminal" in check.fix and "pull_quarantine" in check.fix
