"""One pull page fetched ahead while the puller stores the one before it.

A first sync (or a full resend) is a hundred pages or more, each fetched, then stored
in its own transaction. Fetching is the server's work and the network's; storing is this
terminal's CPU and disk. Done one after the other, each waits for the other; with the
next page asked for as soon as a page's cursor is known (``more``: the server has more
at once), the two overlap. Only one page is ever ahead, so memory stays at two pages,
and a page is only asked for with the cursor of the page before it: the order and the
"stored with its cursor" rule of ``kiosk.sync.apply`` are unchanged.

While catching up, pages are stored together, for at most ``BATCH_S`` a transaction
(``store_fetched``: the page on its way is waited for within that time): every commit
writes each page of the cache's indexes it touched, encrypted, and 500 messages with
random ids touch most of them, so one commit for a few pages writes about half as much
as one a page. The puller's transactions are background ones
(``kiosk.storage.write_turns``): a punch on the core worker goes first, and waits at
most for the transaction already running, which ends at the page that sees it waiting
(bench/first_sync.py measures the wait).

The prefetch thread uses the puller's client while the puller stores (never both at
once: the puller takes the answer before it calls the client again).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, wait
from dataclasses import dataclass

import sqlite_utils

from kiosk.storage import background_transaction
from kiosk.storage.write_turns import foreground_waiting
from kiosk.sync.apply import store_changes
from kiosk.sync.client import PullResult, ServerClient

BATCH_S = 0.1  # the longest a transaction keeps adding fetched pages


@dataclass(frozen=True)
class PulledPage:
    result: PullResult
    received: float  # time.time() when the answer came: the clock offset is measured on it
    received_mono: float


def pull_page(client: ServerClient, cursor: str | None, wait_s: float) -> PulledPage:
    result = client.pull(cursor, wait_s=wait_s)
    return PulledPage(result, time.time(), time.monotonic())


class PagePrefetch:
    """``start(cursor)`` asks for the page after ``cursor`` on a thread of its own;
    ``take(cursor)`` gives that page (or raises what the request raised), or None when
    nothing was asked for with this cursor.

    Each request runs on a daemon thread (not an executor's: Python joins those at exit,
    and a request in flight to an unreachable server would hold the terminal's exit for
    its timeouts, where the sync threads it serves never do)."""

    def __init__(self, client: ServerClient) -> None:
        self._client = client
        self._ahead: tuple[str, Future[PulledPage]] | None = None

    def start(self, cursor: str) -> None:
        self.drop()
        future: Future[PulledPage] = Future()
        future.set_running_or_notify_cancel()

        def fetch() -> None:
            try:
                future.set_result(pull_page(self._client, cursor, 0))
            except BaseException as exc:  # noqa: BLE001 - handed to the puller as it is
                future.set_exception(exc)

        threading.Thread(target=fetch, name="sync-prefetch", daemon=True).start()
        self._ahead = (cursor, future)

    def ready(self, within_s: float = 0.0) -> bool:
        """Whether the page asked for is here, fetched without an error, waiting for it
        ``within_s`` at most."""
        if self._ahead is None:
            return False
        done, _pending = wait([self._ahead[1]], timeout=max(0.0, within_s))
        return bool(done) and self._ahead[1].exception() is None

    def take(self, cursor: str | None) -> PulledPage | None:
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        if ahead[0] != cursor:  # asked for another cursor (a reset came): not this one
            ahead[1].exception()  # waited for: the client is free again before it is used
            return None
        return ahead[1].result()

    def drop(self) -> None:
        """Forget a page asked for (the puller failed to store the one before it, or its
        loop ends): wait for its request to end, so that the client is free, and ignore
        what it got."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead[1].exception()


def store_fetched(db: sqlite_utils.Database, page: PulledPage,
                  prefetch: PagePrefetch) -> tuple[PulledPage, int]:
    """Store ``page``, and the pages after it as they come, for ``BATCH_S`` at most, in
    one transaction, asking for the next page as each page's cursor is known. The
    last page stored (its cursor is saved) and how many changes were stored. A page
    whose request failed is left to the caller's next ``take`` (and its retry rules)."""
    stored = 0
    try:
        with background_transaction(db) as conn:
            started = time.monotonic()
            while True:
                result = page.result
                if result.more:
                    prefetch.start(result.cursor)
                store_changes(conn, result.reset, result.changes, result.cursor)
                stored += len(result.changes)
                left = BATCH_S - (time.monotonic() - started)
                if (not result.more or left <= 0 or foreground_waiting()
                        or not prefetch.ready(within_s=left) or foreground_waiting()):
                    return page, stored  # (a punch may have come while the page did)
                page = prefetch.take(result.cursor)  # type: ignore[assignment]
    except BaseException:
        prefetch.drop()  # asked for after a page that is not stored
        raise
