"""A terminal's last use, noted in memory and written for many terminals at once.

Each terminal's token use (``last_seen_at``, ``token_last_used_at``) is refreshed at
most once a minute (``repo.terminals.needs_touch``). Written one by one, 5,000
long-polling terminals make 83 write transactions a second, each with its commit's
fsync. Here the uses are kept in memory and flushed every few seconds in one
transaction; the fleet page's "online" (minutes) does not notice the delay.

Not batched: the first use of a token that replaced another (``repo.terminals.touch``
ends the old token's grace period then): that one is a security matter and is written
at once by ``server.auth``.

Used from the thread pool (token checks) and the event loop (the flush).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime

from server.db import Database
from server.repo import terminals

log = logging.getLogger("server.touches")


class TouchBuffer:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._seen: dict[tuple[int, str], datetime] = {}  # (terminal, which token) -> when

    def note(self, terminal_id: int, which: str, when: datetime) -> None:
        with self._lock:
            self._seen[terminal_id, which] = when

    def pending(self, terminal_id: int, which: str) -> bool:
        return (terminal_id, which) in self._seen

    def flush(self) -> int:
        """Write what was noted since the last flush; returns how many terminals."""
        with self._lock:
            seen, self._seen = self._seen, {}
        if seen:
            try:
                with self._db.write() as conn:
                    terminals.touch_many(conn, seen)
            except Exception:
                with self._lock:  # keep them for the next flush, newer uses first
                    self._seen = {**seen, **self._seen}
                raise
        return len(seen)

    async def flush_periodically(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.flush)
            except Exception:
                log.exception("writing the terminals' last use failed; retrying")
