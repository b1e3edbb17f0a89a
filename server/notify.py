"""Wake long-polling pulls when a change for their site is committed.

One asyncio.Event per site, replaced each time it fires; a pull takes the
current event *before* querying, so a commit between its query and its wait
still wakes it. Each site also has a generation number, bumped by every fire:
``server.pull_cache`` keeps a pull answer only while its site's generation is
the one read before computing it. Commits made by this process call
``notify_threadsafe``; commits made by other processes (the admin CLI) are
found by ``watch``, one cheap query a second for the whole server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from server.db import Database
from server.repo import changes

log = logging.getLogger("server.notify")


class ChangeNotifier:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[int, asyncio.Event] = {}
        self._generations: dict[int, int] = {}
        self._every_site_generation = 0
        self.closed = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.closed = False

    def event_for(self, site_id: int) -> asyncio.Event:
        """The event that the next change for ``site_id`` will set (loop thread only)."""
        return self._events.setdefault(site_id, asyncio.Event())

    def generation(self, site_id: int) -> tuple[int, int]:
        """Changes every time ``site_id`` is fired (loop thread only)."""
        return self._every_site_generation, self._generations.get(site_id, 0)

    def fire(self, site_ids: Iterable[int | None]) -> None:
        """Wake the waiters of these sites; None wakes every site (loop thread only)."""
        sites = set(site_ids)
        if None in sites:
            self._every_site_generation += 1
            targets = list(self._events)
        else:
            for site_id in sites:
                self._generations[site_id] = self._generations.get(site_id, 0) + 1
            targets = list(sites & set(self._events))
        for site_id in targets:
            self._events.pop(site_id).set()

    def notify_threadsafe(self, site_ids: set[int | None]) -> None:
        """Called from any thread after a commit."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.fire, set(site_ids))

    def close_threadsafe(self) -> None:
        """Close from any thread."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.close)

    def close(self) -> None:
        """Shutting down: release every waiter now."""
        self.closed = True
        self.fire([None])


async def watch(db: Database, notifier: ChangeNotifier, interval: float) -> None:
    """Fire the notifier for change-log rows committed by other processes."""

    def newest_sites(after: int) -> tuple[int, set[int | None]]:
        with db.read() as conn:
            return changes.sites_after(conn, after)

    last, _ = await asyncio.to_thread(newest_sites, 1 << 62)
    while True:
        await asyncio.sleep(interval)
        try:
            newest, sites = await asyncio.to_thread(newest_sites, last)
        except Exception:
            log.exception("change watcher failed; retrying")
            continue
        if sites:
            notifier.fire(sites)
        last = newest
