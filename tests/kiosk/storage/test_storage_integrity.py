"""A damaged database is found at start (``PRAGMA quick_check``) and reported as a storage
fault with what site IT should do; the terminal never deletes nor recreates it (its
outbox may hold punches not yet sent).

Real SQLite files, damaged as a failing SD card damages them (tests/support/damaged_db.py).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.demo.prepare import demo_config
from kiosk.domain.terminal import Terminal
from kiosk.storage import DatabaseDamaged, StorageError, open_database
from kiosk.sync.status import SyncState, SyncStatus
from tests.support.damaged_db import damage_middle_pages, fill_outbox
from tests.support.runtime_rig import start_runtime


@pytest.fixture
def short_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="kst-"))  # short: holds the virtual reader's socket
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.sqlite3"
    fill_outbox(path)
    damage_middle_pages(path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_sound_database_passes_the_check(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    fill_outbox(path)
    term = Terminal.open(path)
    try:
        assert term.check_integrity() is None
    finally:
        term.close()


def test_garbage_over_pages_in_the_middle_is_found_although_the_file_opens(damaged):
    term = Terminal.open(damaged)
    try:
        assert term.check_integrity()
        assert term.integrity_problem == term.check_integrity()  # read once, remembered
    finally:
        term.close()


def test_a_file_that_is_not_a_database_is_damaged_not_a_folder_problem(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8192)
    with pytest.raises(DatabaseDamaged) as caught:
        open_database(path)
    assert isinstance(caught.value, StorageError)
    assert "writable" not in str(caught.value) and "damaged" in str(caught.value)


def test_a_damaged_database_is_a_storage_fault_at_start_with_the_fix(short_dir):
    config = demo_config(short_dir)
    fill_outbox(config.database_path)
    damage_middle_pages(config.database_path)
    runtime, _view, loop, _readers, storage = start_runtime(config)
    try:
        loop.run_until(lambda: bool(storage), timeout=10)
    finally:
        runtime.stop()
    [status] = storage
    assert (status.ok, status.damaged) == (False, True)
    assert str(config.database_path) in status.detail
    assert "keep a copy" in status.detail and "kiosk-dump.sql" in status.detail


def test_the_terminal_neither_deletes_nor_rewrites_a_damaged_database(short_dir):
    config = demo_config(short_dir)
    fill_outbox(config.database_path)
    damage_middle_pages(config.database_path)
    before = digest(config.database_path)
    runtime, _view, loop, _readers, storage = start_runtime(config)
    try:
        loop.run_until(lambda: bool(storage), timeout=10)
        runtime.sync_history.record(SyncStatus(SyncState.DISABLED))  # pruning would be due
        runtime.prune_expired()
        runtime.check_storage()  # as the idle screen does while storage is in error
        loop.run_until(lambda: len(storage) == 2)
    finally:
        runtime.stop()
    assert storage[1] == storage[0]
    assert digest(config.database_path) == before


def test_the_admin_report_gives_the_damage_and_the_fix(short_dir):
    config = demo_config(short_dir)
    fill_outbox(config.database_path)
    damage_middle_pages(config.database_path)
    runtime, _view, loop, _readers, storage = start_runtime(config)
    reports = []
    try:
        loop.run_until(lambda: bool(storage), timeout=10)
        runtime.admin_report(reports.append)
        loop.run_until(lambda: bool(reports))
    finally:
        runtime.stop()
    assert "damaged" in reports[0].storage_error and "kiosk-dump.sql" in reports[0].storage_error
