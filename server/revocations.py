"""Is this terminal revoked? One query for every long-poll asking at the same moment.

A change for a site wakes all its held long-polls together, and each must check its
terminal again before it answers (a revocation is itself such a change: see
``repo.terminals.revoke``). Asked one by one that is a database round trip per woken
long-poll; here the terminal ids asked for during one turn of the event loop are read
in one query, started after every one of them asked. So each asker's read still comes
after its own pull answer was made: a revocation committed before the read refuses
it, and nothing committed after a revocation is ever delivered.

Only the event-loop thread uses it.
"""

from __future__ import annotations

import asyncio

from server.db import Database
from server.repo import terminals

# Ids per query: SQLite's limit on bound parameters is 32,766; stay well below it.
CHUNK = 5_000


class RevocationCheck:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._asked: set[int] | None = None  # the batch not yet started
        self._answer: asyncio.Future[set[int]] | None = None
        self.queries = 0

    async def is_revoked(self, terminal_id: int) -> bool:
        if self._asked is None:
            loop = asyncio.get_running_loop()
            self._asked, self._answer = set(), loop.create_future()
            # call_soon: after the other long-polls woken by the same change have asked
            loop.call_soon(self._start, self._asked, self._answer)
        assert self._answer is not None
        self._asked.add(terminal_id)
        answer = self._answer
        return terminal_id in await asyncio.shield(answer)

    def _start(self, asked: set[int], answer: asyncio.Future[set[int]]) -> None:
        self._asked = self._answer = None  # whoever asks from now on waits for the next
        self.queries += 1
        task = asyncio.ensure_future(asyncio.to_thread(self._read, sorted(asked)))

        def landed(done: asyncio.Future[set[int]]) -> None:
            if answer.done():
                return
            if done.cancelled():
                answer.cancel()
            elif (error := done.exception()) is not None:
                answer.set_exception(error)
            else:
                answer.set_result(done.result())

        task.add_done_callback(landed)

    def _read(self, ids: list[int]) -> set[int]:
        revoked: set[int] = set()
        for start in range(0, len(ids), CHUNK):
            revoked |= self._db.run_read(
                lambda conn, part=ids[start:start + CHUNK]: terminals.revoked_among(conn, part))
        return revoked
