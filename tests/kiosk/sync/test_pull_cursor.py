"""The pull cursor commits with what its page wrote: in the encrypted cache.

A transaction over the punch store and the attached cache commits the punch store first
and the cache second; a crash between the two keeps the first and loses the second. The
cursor therefore lives in the cache: a lost cache commit takes its cursor with it, and
the page is pulled again instead of skipped."""

from __future__ import annotations

import os
import shutil

from kiosk.storage import open_database, transaction
from kiosk.storage.cache import cache_path, forget_cursor_in
from kiosk.storage.sqlite import connect
from kiosk.sync.apply import apply_changes, load_cursor, save_cursor

KEY = os.urandom(32)


def _employee(employee_id: int) -> dict:
    return {"type": "employee", "id": employee_id, "name": f"Worker {employee_id}",
            "language": "fr", "role": "worker", "active": True}


def _apply_page(db, changes: list[dict], cursor: str) -> None:
    with transaction(db) as conn:
        apply_changes(conn, changes)
        save_cursor(conn, cursor)


def test_the_cursor_is_kept_in_the_encrypted_cache_not_the_punch_store(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    db = open_database(path, KEY)
    _apply_page(db, [_employee(7)], "page-1")
    assert db.execute("SELECT cursor FROM cache.pull_cursor").fetchone()[0] == "page-1"
    assert db.execute("SELECT count(*) FROM main.sync_state WHERE key = 'cursor'"
                      ).fetchone()[0] == 0
    db.conn.close()


def test_a_cache_that_lost_its_last_commit_pulls_that_page_again(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    db = open_database(path, KEY)
    _apply_page(db, [_employee(7)], "page-1")
    _page_whose_cache_commit_is_lost(db, path, [_employee(8)], "page-2")
    db = open_database(path, KEY)
    assert load_cursor(db.conn) == "page-1"
    assert db.execute("SELECT count(*) FROM employees WHERE id = 8").fetchone()[0] == 0
    db.conn.close()


def test_a_cursor_saved_before_schema_10_is_used_then_moved_to_the_cache(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    db = open_database(path, KEY)
    db.conn.execute("INSERT INTO main.sync_state (key, value) VALUES ('cursor', 'old-41')")
    assert load_cursor(db.conn) == "old-41"
    _apply_page(db, [], "page-42")
    assert load_cursor(db.conn) == "page-42"
    assert db.execute("SELECT value FROM main.sync_state WHERE key = 'cursor'"
                      ).fetchone() is None
    db.conn.close()


def test_an_upgraded_terminal_whose_first_page_lost_its_cache_commit_keeps_its_old_cursor(
        tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    db = open_database(path, KEY)
    db.conn.execute("INSERT INTO main.sync_state (key, value) VALUES ('cursor', 'old-41')")
    _page_whose_cache_commit_is_lost(db, path, [_employee(9)], "page-42")
    db = open_database(path, KEY)
    assert load_cursor(db.conn) == "old-41"  # not a full resend
    db.conn.close()


def test_a_new_enrollment_forgets_the_encrypted_caches_cursor_at_the_next_open(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    db = open_database(path, KEY)
    _apply_page(db, [_employee(7)], "page-1")
    db.conn.close()
    plain = connect(str(path))  # what `kiosk enroll` has: the punch store, no key
    with plain:
        forget_cursor_in(plain)
    plain.close()
    db = open_database(path, KEY)
    assert load_cursor(db.conn) is None
    db.conn.close()
    db = open_database(path, KEY)  # once: a cursor saved after it stays
    _apply_page(db, [], "page-2")
    db.conn.close()
    assert load_cursor(open_database(path, KEY).conn) == "page-2"


def _page_whose_cache_commit_is_lost(db, path, changes: list[dict], cursor: str) -> None:
    """Apply a page, close, then put back the cache file as it was before it: the punch
    store committed the page, the cache's commit of it never reached the disk."""
    db.conn.execute("PRAGMA cache.wal_checkpoint(TRUNCATE)")
    saved = path.with_name("cache-before-the-page")
    shutil.copyfile(cache_path(path), saved)
    _apply_page(db, changes, cursor)
    db.conn.close()
    for suffix in ("-wal", "-shm"):
        cache_path(path).with_name(cache_path(path).name + suffix).unlink(missing_ok=True)
    shutil.copyfile(saved, cache_path(path))
