"""The Database handle: one engine, read and write transactions, commit hooks."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from server.attachment_store import LazyStore, locate
from server.db.types import fold

CHANGED_SITES = "kiosk_changed_sites"
# conn.info key: callables run, in the order added, at the end of a write transaction,
# just before its commit (the change log gives its rows their places there).
BEFORE_COMMIT = "kiosk_before_commit"
STORE = "kiosk_attachment_store"
# PostgreSQL: every write that logged changes notifies this channel inside its
# transaction (delivered at commit, dropped on rollback): the sites, comma-separated,
# "*" for every site.  Each server process listens (server.notify.listen).
CHANGES_CHANNEL = "kiosk_changes"
# A SQL function on SQLite connections: text folded for searching (see ``fold``).
FOLD_FUNCTION = "kiosk_fold"
BUSY_TIMEOUT_MS = 30_000
# Called after a write transaction commits, with the site ids it changed
# (None stands for "every site").
CommitHook = Callable[[set[int | None]], None]
T = TypeVar("T")


def url_from_path(db: str | Path) -> str:
    """Accept a SQLAlchemy URL or a file path (made into a SQLite URL)."""
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _journal_mode_wal(cursor: Any) -> None:
    """Switch to WAL, waiting out other connections doing the same. SQLite answers
    "database is locked" at once, without its busy handler, when two connections switch
    a new file's journal mode together (two servers or commands opening it at once)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _tune_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and makes writers
    # race; take BEGIN over, and make write transactions BEGIN IMMEDIATE so two
    # writers queue on busy_timeout instead of failing with "database is locked".
    #
    # synchronous=FULL: every commit fsyncs the WAL. A terminal deletes an outbox item
    # once the server answered 200, so that answer must survive a power cut; NORMAL
    # (fsync only at checkpoints) could lose the last commits. It costs one fsync per
    # write transaction, and a push of up to 500 items is one transaction.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _journal_mode_wal(cursor)
        for pragma in ("foreign_keys=ON", "synchronous=FULL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        # SQLite's lower() folds ASCII only: "Élodie" would not match "élodie". For the
        # few searches over small tables (groups, pending messages); employees' names
        # carry their folded form in a column (search_name), indexed.
        dbapi_conn.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("kiosk_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Wraps an Engine. ``write()`` reports changed sites to ``on_commit``.

    SQL parameters are hidden from exception texts: they may be message bodies.
    """

    def __init__(self, url: str, on_commit: CommitHook | None = None,
                 attachment_store: str | None = None) -> None:
        self.url = url
        self.on_commit = on_commit
        # Where attachment bytes go (server.attachment_store.locate): repo functions find
        # it on their connection, ``conn.info[STORE]``.
        self.attachments = LazyStore(locate(url, attachment_store), url)
        self.is_postgresql = url.startswith("postgresql")
        if url.startswith("sqlite"):
            self.engine = create_engine(
                url, connect_args={"check_same_thread": False,
                                   "timeout": BUSY_TIMEOUT_MS / 1000},
                hide_parameters=True)
            _tune_sqlite(self.engine)
        else:
            # No pre-ping: it is a round trip on every checkout, and the long-poll path
            # checks out a connection a few times per woken terminal. A connection lost
            # (server restart) fails its statement and SQLAlchemy then drops every pooled
            # connection; ``run_read`` tries such a read again once, on a new one.
            # pool_recycle retires connections before an idle timeout can cut them.
            # pool_size: the default 5 is below the requests' thread pool (40): every
            # checkout beyond it opened a new PostgreSQL connection (a backend process)
            # and closed it on return.
            self.engine = create_engine(url, pool_pre_ping=False, pool_recycle=1800,
                                        pool_size=20, max_overflow=20,
                                        hide_parameters=True)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction; committed on success, rolled back on error."""
        with self.engine.connect() as conn:
            conn.execution_options(kiosk_write=True)
            conn.info[STORE] = self.attachments
            with conn.begin():
                # info lives with the pooled DB-API connection: start clean even if the
                # last transaction on it failed
                conn.info[CHANGED_SITES] = set()
                conn.info[BEFORE_COMMIT] = {}
                yield conn
                for hook in conn.info.pop(BEFORE_COMMIT, {}).values():
                    hook(conn)
                if self.is_postgresql and conn.info[CHANGED_SITES]:
                    conn.execute(text("SELECT pg_notify(:channel, :sites)"),
                                 {"channel": CHANGES_CHANNEL,
                                  "sites": sites_payload(conn.info[CHANGED_SITES])})
            changed = conn.info.pop(CHANGED_SITES, set())
        if changed and self.on_commit is not None:
            self.on_commit(changed)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction: a consistent snapshot."""
        with self.engine.connect() as conn:
            conn.info[STORE] = self.attachments
            with conn.begin():
                yield conn

    def run_read(self, read: Callable[[Connection], T]) -> T:
        """``read(conn)``, one or a few SELECTs that need no common snapshot (the hot
        path: token checks, revocation checks). On PostgreSQL it runs in autocommit:
        no BEGIN and COMMIT round trips. Tried again once if the connection turned out
        to be lost (there is no pre-ping)."""
        for attempt in (1, 2):
            try:
                if not self.is_postgresql:
                    with self.read() as conn:
                        return read(conn)
                with self.engine.connect() as conn:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                    return read(conn)
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def migrate(self) -> str:
        """Bring the schema to the newest Alembic revision; return that revision's id."""
        from server.db.migrations import migrate

        return migrate(self.engine, self.attachments)

    def dispose(self) -> None:
        self.engine.dispose()


def sites_payload(sites: set[int | None]) -> str:
    """A NOTIFY payload naming ``sites`` (None: every site)."""
    if None in sites:
        return "*"
    return ",".join(str(site) for site in sorted(s for s in sites if s is not None))


def parse_sites_payload(payload: str) -> set[int | None]:
    """The sites a NOTIFY payload names; anything unreadable wakes every site."""
    if payload == "*":
        return {None}
    try:
        return {int(part) for part in payload.split(",") if part}
    except ValueError:
        return {None}
