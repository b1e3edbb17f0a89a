"""One server process runs the periodic jobs, whichever processes serve.

With ``serve --workers N`` (or several hosts on one PostgreSQL database) every process
serves requests, but pruning expired messages must run once, not N times at once.  The
processes elect one: on PostgreSQL, the holder of a session advisory lock
(``pg_try_advisory_lock`` on a connection of its own); on SQLite, the holder of an
exclusive ``flock`` on a file beside the database.  Both are released by the operating
system or the database when the holder dies or loses its connection, so another
process takes over at its next try (every ``retry_s`` seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from server.db import Database

log = logging.getLogger("server.leader")

# pg_advisory_lock key: "kiosk" in ASCII, so that it reads as ours in pg_locks.
ADVISORY_KEY = 0x6B696F736B
RETRY_S = 5.0


class Leadership:
    """``try_acquire()`` (blocking: call it on a thread), ``holds()``, ``release()``."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._handle: Any = None

    @property
    def is_leader(self) -> bool:
        return self._handle is not None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        if self._db.is_postgresql:
            self._handle = self._acquire_postgresql()
        else:
            self._handle = self._acquire_sqlite()
        return self._handle is not None

    def holds(self) -> bool:
        """Still the leader? (A lost PostgreSQL connection means the lock is gone.)"""
        if self._handle is None:
            return False
        if self._db.is_postgresql:
            try:
                self._handle.execute("SELECT 1")
            except Exception:
                self.release()
                return False
        return True

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.close()

    def _acquire_postgresql(self) -> Any:
        import psycopg

        url = self._db.engine.url.set(drivername="postgresql")
        try:
            conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        except psycopg.Error as exc:
            log.warning("leader election: no connection (%s)", type(exc).__name__)
            return None
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,)).fetchone()
        if got and got[0]:
            return conn
        conn.close()
        return None

    def _acquire_sqlite(self) -> Any:
        database = make_url(self._db.url).database
        if not database:  # in memory: one process by definition
            return open(os.devnull)  # noqa: SIM115  (held until release)
        lock_path = Path(f"{database}.leader")
        handle = open(lock_path, "a")  # noqa: SIM115  (held until release)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return None
        return handle


async def lead(leadership: Leadership, jobs: Callable[[], Awaitable[None]],
               retry_s: float = RETRY_S) -> None:
    """Run ``jobs`` while this process leads; try again every ``retry_s`` until it does,
    and stop them when leadership is lost.  Runs until cancelled."""
    try:
        while True:
            if await asyncio.to_thread(leadership.try_acquire):
                log.info("this process runs the periodic jobs")
                running = asyncio.create_task(jobs())
                try:
                    while await asyncio.to_thread(leadership.holds):
                        await asyncio.sleep(retry_s)
                    log.warning("leadership lost; periodic jobs stopped here")
                finally:
                    running.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await running
            await asyncio.sleep(retry_s)
    finally:
        leadership.release()
