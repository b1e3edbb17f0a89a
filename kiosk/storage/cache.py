"""The message cache: an encrypted SQLCipher file attached to the punch store's connection.

Punches and their outbox stay in the plain, durable ``kiosk.sqlite3``: they must survive
a power cut and an offline reboot, and hold nothing but employee ids and times. What a
thief must not read (the directory, messages, pictures, receipts not yet sent, pulled
changes set aside) lives in ``kiosk-cache.sqlite3``, encrypted with SQLCipher 4 under a
key the server gives after boot and that only RAM holds (``kiosk.sync.cache_key``).

The cache is attached as schema ``cache``, and its tables are gone from ``main``: every
query keeps its unqualified table names (SQLite looks in ``main``, then in ``cache``).
Without the key an empty in-memory cache of the same shape is attached instead, so the
terminal still punches (through ``badge_keys``) and shows no messages.

A terminal that never had a key (not enrolled, the offline demo) keeps the old layout,
everything in ``main``; the first open with a key moves the tables over, once, and
removes the plain copy (DELETE with ``secure_delete``, then VACUUM).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.storage.migrations import apply_migrations
from kiosk.storage.private import private_file
from kiosk.storage.sqlite import DatabaseError, OperationalError, connect

log = logging.getLogger(__name__)

CACHE_SUFFIX = "-cache"
KEY_BYTES = 32
# Tables that hold what a thief must not read; order: referenced tables first.
CACHE_TABLES = ("employees", "badges", "groups", "group_members", "contacts", "messages",
                "message_recipients", "attachments", "pull_quarantine", "badge_memo", "sent_to",
                "pull_cursor")


class CacheKeyRefused(Exception):
    """The key does not open the cache file: the key was rotated or the file is not ours."""


def cache_path(database: Path | str) -> Path:
    """``kiosk.sqlite3`` -> ``kiosk-cache.sqlite3``, beside it."""
    database = Path(database)
    return database.with_name(f"{database.stem}{CACHE_SUFFIX}{database.suffix}")


def is_split(db: sqlite_utils.Database) -> bool:
    """Whether the cache tables have left the punch store (the first open with a key)."""
    return _split(db.conn)


def attach_cache(db: sqlite_utils.Database, database: Path, key: bytes | None) -> bool:
    """Attach the cache to ``db`` as schema ``cache``; True when the messages are readable
    (the key opened the file, or the old layout keeps them in ``main``).

    With a key: the encrypted file, created or migrated as needed; a key that does not
    open it (rotated, or lost and made again) drops the file: the caller resets the pull
    cursor so that the server sends everything again. Without a key on a split store:
    an empty in-memory cache, so that the terminal runs, locked."""
    if key is None:
        if not is_split(db):
            return True
        _attach_memory(db)
        return False
    if len(key) != KEY_BYTES:
        raise ValueError("the cache key must be 32 bytes")
    path = cache_path(database)
    fresh = not path.exists() or path.stat().st_size == 0
    try:
        _attach_file(db, path, key)
    except CacheKeyRefused:
        log.warning("the cache key does not open the message cache (rotated?): dropping "
                    "the cache; the server sends everything again")
        drop_cache_file(path)
        fresh = True
        _attach_file(db, path, key)
    if not is_split(db):
        _move_tables(db)
    elif fresh or db.execute("SELECT 1 FROM main.sync_state WHERE key = 'forget_cursor'"
                             ).fetchone():
        forget_cursor(db)  # a new cache, or a new enrollment since the last open
    return True


def cache_is_locked(db: sqlite_utils.Database) -> bool:
    """Whether the attached cache is the empty in-memory stand-in (no key)."""
    for _seq, name, file in db.conn.execute("PRAGMA database_list"):
        if name == "cache":
            return not file
    return False


def forget_cursor(db: sqlite_utils.Database) -> None:
    """The next pull starts from nothing: the server answers with a reset and the
    whole directory and every message (the path a new terminal takes)."""
    forget_cursor_in(db.conn)


def forget_cursor_in(conn: Any) -> None:
    """``forget_cursor`` on a bare connection: the cursor where it is now (the cache's
    ``pull_cursor``, unqualified: in ``main`` for a terminal that never had a key) and
    where versions before schema 10 kept it, in the punch store. Without the encrypted
    cache at hand (``kiosk enroll`` has no key), a mark in the punch store has the next
    open with the key forget the cache's."""
    conn.execute("DELETE FROM main.sync_state WHERE key IN ('cursor', 'last_cursor', "
                 "'forget_cursor')")
    cleared = not _split(conn)  # one file: its pull_cursor is the one
    for schema, file in _schemas(conn):
        if conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' "
                        "AND name = 'pull_cursor'").fetchone():
            conn.execute(f"DELETE FROM {schema}.pull_cursor")
            cleared = cleared or (schema == "cache" and bool(file))  # not the locked stand-in
    if not cleared:
        conn.execute("INSERT INTO main.sync_state (key, value) VALUES ('forget_cursor', '1')")


def _split(conn: Any) -> bool:
    row = conn.execute("SELECT value FROM main.sync_state WHERE key = 'cache_layout'"
                       ).fetchone()
    return bool(row and row[0] == "encrypted")


def _schemas(conn: Any) -> list[tuple[str, str]]:
    """(name, file) of the connection's databases; file is '' for one in memory."""
    return [(row[1], row[2] or "") for row in conn.execute("PRAGMA database_list")
            if row[1] != "temp"]


def drop_cache_file(path: Path) -> None:
    """Remove the cache file and its WAL and SHM (encrypted: nothing to overwrite)."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass


CACHE_PAGES_KIB = 16 * 1024
# The sync puller's connection, while it stores a first sync's pages: random message ids
# spread each page's inserts over most of the cache's index pages, and each one evicted is
# read and decrypted again (64 MiB: a first sync of 50,000 messages ~1 s faster than 16).
# Given back when caught up (``release_page_cache``).
PULL_CACHE_PAGES_KIB = 64 * 1024


def widen_page_cache(db: sqlite_utils.Database) -> None:
    """The puller's larger page cache for the encrypted cache (if one is attached)."""
    if any(name == "cache" and file for name, file in _schemas(db.conn)):
        db.conn.execute(f"PRAGMA cache.cache_size = -{PULL_CACHE_PAGES_KIB}")


def release_page_cache(db: sqlite_utils.Database) -> None:
    """Give back the memory the page cache holds beyond what it needs now."""
    db.conn.execute("PRAGMA shrink_memory")


def _attach_file(db: sqlite_utils.Database, path: Path, key: bytes) -> None:
    private_file(path)  # SQLite gives its -wal and -shm files the file's mode
    # A wrong key is found at once (SQLCipher checks page 1's HMAC), as "not a database";
    # its own report of that on stderr is silenced: the log says it in our words.
    db.conn.execute("PRAGMA cipher_log_level = NONE")
    try:
        db.conn.execute("ATTACH DATABASE ? AS cache KEY ?", (str(path), _key_literal(key)))
    except OperationalError:
        raise  # locked, I/O: the disk's fault, not the key's; the cache is kept
    except DatabaseError as exc:
        raise CacheKeyRefused(str(exc)) from None
    try:
        db.conn.execute("SELECT count(*) FROM cache.sqlite_master").fetchone()
    except OperationalError:
        db.conn.execute("DETACH DATABASE cache")
        raise
    except DatabaseError as exc:
        db.conn.execute("DETACH DATABASE cache")
        raise CacheKeyRefused(str(exc)) from None
    # The same durability as the punch store: a received message survives a power cut.
    db.conn.execute("PRAGMA cache.journal_mode = WAL")
    db.conn.execute("PRAGMA cache.synchronous = FULL")
    # Every page read from the encrypted file is decrypted and checked: with SQLite's
    # default 2 MiB page cache, a first sync (50,000 messages) kept evicting and
    # decrypting again the pages its inserts walk, ~14 s of CPU instead of ~9 s with
    # 16 MiB. An upper bound, used only as pages are touched.
    db.conn.execute(f"PRAGMA cache.cache_size = -{CACHE_PAGES_KIB}")
    _create_schema(db)


def _key_literal(key: bytes) -> str:
    # SQLCipher's raw-key form: the 32 bytes are the key, no passphrase derivation.
    return f"x'{key.hex()}'"


def _attach_memory(db: sqlite_utils.Database) -> None:
    db.conn.execute("ATTACH DATABASE ':memory:' AS cache")
    _create_schema(db)


def _create_schema(db: sqlite_utils.Database) -> None:
    db.conn.execute("BEGIN IMMEDIATE")
    try:  # read inside the write lock: the terminal's other connections do the same
        have = {r[0] for r in db.conn.execute("SELECT name FROM cache.sqlite_master")}
        for name, sql in cache_schema():
            if name not in have:
                db.conn.execute(sql)
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


@functools.cache
def cache_schema() -> tuple[tuple[str, str], ...]:
    """(name, CREATE statement in schema ``cache``) of the cache's tables and indexes,
    taken from the punch store's migrations run on a scratch database: one schema
    history for both layouts."""
    scratch = sqlite_utils.Database(connect(":memory:", isolation_level=None))
    apply_migrations(scratch)
    rows = scratch.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "ORDER BY type DESC, rowid").fetchall()  # tables before indexes
    statements = []
    for kind, name, table, sql in rows:
        if table not in CACHE_TABLES or name.startswith("sqlite_"):
            continue
        head = f"CREATE {kind.upper()} {name}"
        assert sql.startswith(head), sql
        statements.append((name, f"CREATE {kind.upper()} cache.{name}{sql[len(head):]}"))
    scratch.conn.close()
    order = {t: i for i, t in enumerate(CACHE_TABLES)}
    tables = sorted((s for s in statements if s[0] in order), key=lambda s: order[s[0]])
    return tuple(tables + [s for s in statements if s[0] not in order])


def _move_tables(db: sqlite_utils.Database) -> None:
    """The one-time migration: copy the plain tables into the cache, drop them from the
    punch store, and overwrite the freed pages (secure_delete, then VACUUM)."""
    conn = db.conn
    conn.execute("PRAGMA main.secure_delete = ON")  # freed pages are zeroed
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read inside the write lock: another connection of the terminal (the core and
        # both sync threads open at once when the key comes) may have moved them already.
        if is_split(db):
            conn.execute("ROLLBACK")
            return
        in_main = {r[0] for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table'")}
        for table in CACHE_TABLES:
            if table in in_main:
                conn.execute(f"DELETE FROM cache.{table}")
                conn.execute(f"INSERT INTO cache.{table} SELECT * FROM main.{table}")
        for table in reversed(CACHE_TABLES):
            if table in in_main:
                conn.execute(f"DELETE FROM main.{table}")
                conn.execute(f"DROP TABLE main.{table}")
        conn.execute("INSERT INTO main.sync_state (key, value) VALUES ('cache_layout', "
                     "'encrypted') ON CONFLICT(key) DO UPDATE SET value = excluded.value")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    # Rewrites the file without the freed pages, then empties the WAL, which still holds
    # copies of the old pages. Another connection reading at that moment can make either
    # fail: the pages are zeroed already (secure_delete), and the next start tries again.
    try:
        conn.execute("VACUUM main")
    except OperationalError:
        log.warning("VACUUM after moving the cache did not run (busy); done at next start")
    scrub_wal(db)
    log.info("the message cache moved to its encrypted file")


def scrub_wal(db: sqlite_utils.Database) -> None:
    """Copy the WAL into the file and truncate it to nothing (if no reader holds it)."""
    for _ in range(50):
        busy = db.conn.execute("PRAGMA main.wal_checkpoint(TRUNCATE)").fetchone()[0]
        if not busy:
            return
        time.sleep(0.02)
