"""Open the terminal's SQLite database: durable settings, then migrations.

The connection runs in autocommit mode (``isolation_level=None``) and every write
goes through ``transaction()``, an explicit ``BEGIN IMMEDIATE``.  sqlite-utils'
own write helpers commit on their own, so inside a transaction we write with
plain SQL; sqlite-utils serves schema work and queries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.storage import sqlite, write_turns
from kiosk.storage.cache import attach_cache
from kiosk.storage.errors import DatabaseDamaged, StorageError
from kiosk.storage.migrations import apply_migrations
from kiosk.storage.private import private_file, private_folder

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


def open_database(path: Path | str, cache_key: bytes | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date,
    with the message cache attached (``kiosk.storage.cache``): encrypted under
    ``cache_key``, or locked and empty without it once the store has been split.

    WAL journal with ``synchronous=FULL``: a committed punch survives a power cut.
    Raises ``StorageError`` with the folder named when it cannot be written.
    """
    path = Path(path)
    try:
        private_folder(path.parent)
        private_file(path)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {path.parent}: {exc.strerror}") from exc
    try:
        conn = sqlite.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                              check_same_thread=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = _journal_mode_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        apply_migrations(db)
        attach_cache(db, path, cache_key)
    except RuntimeError as exc:  # a schema newer than this software
        raise StorageError(f"{path}: {exc}") from exc
    except sqlite.OperationalError as exc:  # cannot open or write: the folder's fault
        raise StorageError(
            f"cannot open the database {path} for writing ({exc}); "
            f"check that the folder {path.parent} exists and is writable"
        ) from exc
    except sqlite.DatabaseError as exc:  # "malformed", "not a database": the file's
        raise DatabaseDamaged(path, str(exc)) from exc
    except sqlite.Error as exc:
        raise StorageError(
            f"cannot open the database {path} for writing ({exc}); "
            f"check that the folder {path.parent} exists and is writable"
        ) from exc
    for suffix in ("-wal", "-shm"):  # made by an older version, or before the umask was set
        if Path(f"{path}{suffix}").exists():
            private_file(f"{path}{suffix}")
    if str(mode).lower() != "wal":
        log.warning("journal mode is %s, not WAL", mode)
    return db


def _journal_mode_wal(conn: Any) -> str:
    """Switch to WAL, waiting out other connections doing the same. SQLite answers
    "database is locked" at once, without its busy handler, when two connections switch
    a new file's journal mode together (two threads of the terminal at its first start)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def integrity_problem(conn: Any) -> str | None:
    """``PRAGMA quick_check`` (every page read, indexes not compared): None when the file
    is sound, else SQLite's first findings. It reads the whole file: run it once, at
    start, off the UI thread. A read that fails for another reason (I/O error, lock)
    raises ``sqlite3.OperationalError``: a storage fault, not a verdict on the file."""
    try:
        findings = [str(row[0]) for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite.OperationalError:
        raise
    except sqlite.DatabaseError as exc:  # a page so damaged that the check stops on it
        return str(exc)
    if findings == ["ok"]:
        return None
    return "; ".join(findings)[:300]


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[Any]:
    """One atomic write: everything inside commits together or not at all. A background
    writer of the process lets it go first (``kiosk.storage.write_turns``)."""
    with write_turns.foreground():
        with _immediate(db) as conn:
            yield conn


@contextmanager
def background_transaction(db: sqlite_utils.Database) -> Iterator[Any]:
    """``transaction`` for a long run of writes (the sync puller catching up): it starts
    once no foreground writer of the process waits, and should end early when one does
    (``write_turns.foreground_waiting``)."""
    write_turns.yield_to_foreground()
    with _immediate(db) as conn:
        yield conn


@contextmanager
def _immediate(db: sqlite_utils.Database) -> Iterator[Any]:
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
