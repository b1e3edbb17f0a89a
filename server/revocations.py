"""Terminal reads made once for all the requests asking at the same moment
(``server.batched_reads``): the revocation check of woken long-polls, and the token
check of the requests that follow them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row

from server.batched_reads import BatchedReads
from server.db import Database
from server.repo import terminals

# Ids or token hashes per query: SQLite's limit on bound parameters is 32,766.
CHUNK = 5_000


class TerminalReads:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._revoked: BatchedReads[int, bool] = BatchedReads(self._read_revoked, CHUNK)
        self._tokens: BatchedReads[str, tuple[Row[Any], str]] = BatchedReads(
            self._read_tokens, CHUNK // 2)

    async def is_revoked(self, terminal_id: int) -> bool:
        """Whether the terminal is revoked (or gone), read after this call began."""
        return bool(await self._revoked.get(terminal_id))

    async def by_token_hash(self, digest: str) -> tuple[Row[Any], str] | None:
        """As ``repo.terminals.by_token``, read after this call began."""
        return await self._tokens.get(digest)

    def _read_revoked(self, ids: list[int]) -> dict[int, bool]:
        revoked = self._db.run_read(lambda conn: terminals.revoked_among(conn, ids))
        return dict.fromkeys(revoked, True)

    def _read_tokens(self, digests: list[str]) -> dict[str, tuple[Row[Any], str]]:
        return self._db.run_read(lambda conn: terminals.by_token_hashes(conn, digests))
