"""Wake long-polling pulls when a change for their site is committed.

One asyncio.Event per site, replaced each time it fires; a pull takes the
current event *before* querying, so a commit between its query and its wait
still wakes it. Each site also has a generation number, bumped by every fire:
``server.pull_cache`` keeps a pull answer only while its site's generation is
the one read before computing it. Commits made by this process call
``notify_threadsafe``; commits made by other processes (the admin CLI, other
server processes) are found by ``watch`` on SQLite, one cheap query a second for the
whole server, and by ``listen`` on PostgreSQL: each write transaction that logged
changes sends ``pg_notify`` (delivered at commit), and one connection per process
listens, so another process's change wakes long-polls within milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Iterable

from server.db import Database
from server.db.engine import CHANGES_CHANNEL, parse_sites_payload
from server.repo import changes

log = logging.getLogger("server.notify")


# Every notifier of this process, so that a signal handler can release its long-polls.
_NOTIFIERS: weakref.WeakSet[ChangeNotifier] = weakref.WeakSet()


def close_every_notifier() -> None:
    """Answer every held long-poll of this process now (from any thread)."""
    for notifier in list(_NOTIFIERS):
        notifier.close_threadsafe()


class ChangeNotifier:
    def __init__(self) -> None:
        _NOTIFIERS.add(self)
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


async def listen(db: Database, notifier: ChangeNotifier, stop: threading.Event) -> None:
    """PostgreSQL: wake this process's long-polls on every other process's commit.

    One dedicated connection (outside the pool, autocommit) runs ``LISTEN`` on a thread
    of its own.  When it is lost, the thread reconnects with a growing pause and wakes
    every site once: a change may have been committed while nobody listened.
    """
    await asyncio.to_thread(_listen_until, db, notifier, stop)


def _listen_until(db: Database, notifier: ChangeNotifier, stop: threading.Event) -> None:
    import psycopg  # the PostgreSQL driver: present wherever a postgresql URL works

    from contract.backoff import Backoff

    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    backoff = Backoff(0.5, 10.0)
    first = True
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                if not first:  # missed while reconnecting: wake everyone once
                    notifier.notify_threadsafe({None})
                first = False
                backoff.success()
                while not stop.is_set():
                    for note in conn.notifies(timeout=0.5):
                        notifier.notify_threadsafe(parse_sites_payload(note.payload))
        except psycopg.Error as exc:
            log.warning("change listener lost its connection (%s); reconnecting",
                        type(exc).__name__)
            stop.wait(backoff.failure())
