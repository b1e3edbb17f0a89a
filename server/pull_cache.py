"""Pull answers shared by the terminals of a site.

A change for a site wakes every long-poll of that site at once, and they all
ask for the same thing: the changes after the same cursor. ``PullCache``
computes that answer once (the first request queries; the others wait for its
result) and keeps it, keyed by (site, cursor), until the site's next change.

Freshness:

- An answer is stored with the site's generation (``ChangeNotifier``) read
  *before* its query started; every change fired for the site bumps the
  generation, and the answer is no longer used. Commits made by this server
  fire before the server answers the request that made them, so a kept answer
  includes every change made through the API.
- Commits made by another process (the admin CLI) are fired by the watcher,
  within about a second. Until then a kept answer may miss them. That is only
  allowed for long-polls (``wait`` > 0), which that same fire wakes: they see
  the change within about a second, as the protocol promises. A pull without
  ``wait`` (``fresh``) always queries.
- A short time-to-live bounds what depends on the clock rather than on changes
  (a message that expires).

Only the event-loop thread uses it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.db.types import utcnow
from server.notify import ChangeNotifier

Key = tuple[int, str | None]
Generation = tuple[int, int]


@dataclass(frozen=True)
class _Entry:
    generation: Generation
    expires: float
    result: dict[str, Any]


class PullCache:
    def __init__(self, notifier: ChangeNotifier, max_entries: int = 64,
                 ttl: float = 2.0) -> None:
        self._notifier = notifier
        self._max_entries = max_entries
        self._ttl = ttl
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._inflight: dict[tuple[Key, Generation], asyncio.Future[dict[str, Any]]] = {}
        self.hits = self.misses = 0

    async def get(self, site_id: int, cursor: str | None,
                  compute: Callable[[], dict[str, Any]], fresh: bool = False) -> dict[str, Any]:
        """The pull answer for ``cursor`` at ``site_id``: kept, being computed for another
        request, or computed now by ``compute`` on a worker thread. ``fresh``: compute it
        now whatever is kept (and keep the result). ``server_time`` is always fresh."""
        key: Key = (site_id, cursor)
        generation = self._notifier.generation(site_id)
        if fresh:
            self.misses += 1
            result = await self._compute(key, generation, compute)
            return {**result, "server_time": utcnow()}
        entry = self._entries.get(key)
        if entry is not None and entry.generation == generation \
                and entry.expires > time.monotonic():
            self._entries.move_to_end(key)
            self.hits += 1
            return {**entry.result, "server_time": utcnow()}
        flight = (key, generation)
        future = self._inflight.get(flight)
        if future is None:
            self.misses += 1
            future = asyncio.ensure_future(self._compute(key, generation, compute))
            self._inflight[flight] = future
            future.add_done_callback(lambda done: self._landed(flight, done))
        else:
            self.hits += 1
        result = await asyncio.shield(future)
        return {**result, "server_time": utcnow()}

    async def _compute(self, key: Key, generation: Generation,
                       compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        result = await asyncio.to_thread(compute)
        if self._notifier.generation(key[0]) != generation:
            return result  # a change came meanwhile: right for this request, stale for later
        now = time.monotonic()
        for old_key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[old_key]
        self._entries[key] = _Entry(generation, now + self._ttl, result)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)  # least recently used
        return result

    def _landed(self, flight: tuple[Key, Generation],
                done: asyncio.Future[dict[str, Any]]) -> None:
        self._inflight.pop(flight, None)
        if not done.cancelled():
            done.exception()  # retrieved: waiters that were cancelled won't ask for it
