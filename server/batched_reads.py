"""Reads asked for by many requests at once, made in one query.

A change for a site wakes all its held long-polls together; each then checks its
terminal again, and each terminal's next long-poll arrives with the others' and has its
token checked. Asked one by one, that is a database round trip (and a hand-off to the
thread pool) per terminal. ``BatchedReads`` collects the keys asked for during one turn
of the event loop and reads them in one query on the thread pool, started after every
one of them was asked: each asker's read still comes after whatever it did before
asking (see ``server.routers.pull`` for why that order matters).

Only the event-loop thread uses it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BatchedReads(Generic[K, V]):
    def __init__(self, read_many: Callable[[list[K]], dict[K, V]], chunk: int) -> None:
        """``read_many(keys)``: the found ones (runs on a worker thread); ``chunk``: the
        most keys per call (SQLite allows 32,766 bound parameters)."""
        self._read_many = read_many
        self._chunk = chunk
        self._asked: set[K] | None = None  # the batch not yet started
        self._answer: asyncio.Future[dict[K, V]] | None = None
        self.queries = 0

    async def get(self, key: K) -> V | None:
        """What the read found for ``key`` (None: nothing)."""
        if self._asked is None or self._answer is None:
            loop = asyncio.get_running_loop()
            self._asked, self._answer = set(), loop.create_future()
            # call_soon: after the other requests woken by the same change have asked
            loop.call_soon(self._start, self._asked, self._answer)
        self._asked.add(key)
        found = await asyncio.shield(self._answer)
        return found.get(key)

    def _start(self, asked: set[K], answer: asyncio.Future[dict[K, V]]) -> None:
        self._asked = self._answer = None  # whoever asks from now on waits for the next
        task = asyncio.ensure_future(asyncio.to_thread(self._read, list(asked)))

        def landed(done: asyncio.Future[dict[K, V]]) -> None:
            if answer.done():
                return
            if done.cancelled():
                answer.cancel()
            elif (error := done.exception()) is not None:
                answer.set_exception(error)
            else:
                answer.set_result(done.result())

        task.add_done_callback(landed)

    def _read(self, keys: list[K]) -> dict[K, V]:
        found: dict[K, V] = {}
        for start in range(0, len(keys), self._chunk):
            self.queries += 1
            found.update(self._read_many(keys[start:start + self._chunk]))
        return found
