"""The plain message cache of an older terminal moves to the encrypted file, once."""

from __future__ import annotations

import os

from kiosk.demo.company import DEMO_MESSAGES, seed_demo
from kiosk.storage import open_database, transaction
from kiosk.storage.cache import cache_is_locked, cache_path, is_split
from kiosk.sync.apply import load_cursor, save_cursor

KEY = os.urandom(32)
BODY = DEMO_MESSAGES[1][4]


def _plain_terminal(path):
    db = open_database(path)  # no key: the old layout, everything in the one file
    seed_demo(db)
    with transaction(db) as conn:
        save_cursor(conn, "c-41")
    db.conn.close()


def _bytes_of(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir()
                    if p.name.startswith(path.name) and p.is_file())


def test_the_first_open_with_the_key_moves_the_cache_and_scrubs_the_plain_copy(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    _plain_terminal(path)
    assert BODY.encode() in _bytes_of(path)
    db = open_database(path, KEY)
    assert is_split(db) and not cache_is_locked(db)
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] >= len(DEMO_MESSAGES)
    assert "messages" not in {r[0] for r in db.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table'")}
    db.conn.close()
    assert BODY.encode() not in _bytes_of(path)
    assert BODY.encode() not in cache_path(path).read_bytes()


def test_the_move_happens_once_and_keeps_the_cursor(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    _plain_terminal(path)
    open_database(path, KEY).conn.close()
    db = open_database(path, KEY)
    count = db.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert count >= len(DEMO_MESSAGES)
    assert load_cursor(db.conn) == "c-41"


def test_without_the_key_the_moved_cache_is_locked_and_empty(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    _plain_terminal(path)
    open_database(path, KEY).conn.close()
    db = open_database(path)
    assert cache_is_locked(db)
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0


def test_a_rotated_key_drops_the_cache_and_asks_for_everything_again(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    _plain_terminal(path)
    open_database(path, KEY).conn.close()
    db = open_database(path, os.urandom(32))
    assert not cache_is_locked(db)
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    assert load_cursor(db.conn) is None
