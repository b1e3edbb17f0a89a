"""GET /v1/pull: changes for the terminal's site, long-polled.

The wait is an asyncio.Event per site (``server.notify``): a held long-poll costs
no thread. Answers come from ``server.pull_cache``: the terminals a change wakes
share one query.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from contract import error_codes as errors
from server.auth import DB, AuthedTerminal, Terminal
from server.db import Database
from server.errors import ApiError
from server.protocol.common import MAX_WAIT_SECONDS, ErrorBody
from server.protocol.pull import PullResponse
from server.services import pull as pull_service

router = APIRouter(tags=["sync"])


def _pull_once(db: Database, site_id: int, cursor: str | None) -> dict[str, Any]:
    with db.read() as conn:
        return pull_service.pull(conn, site_id, cursor)


@router.get("/pull", response_model=PullResponse, responses={
    400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody}})
async def pull(
    request: Request, terminal: AuthedTerminal, db: DB,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS)] = 0,
) -> dict[str, Any]:
    """Changes after ``cursor``; with nothing new, hold up to ``wait`` seconds for one."""
    return await long_poll(request.app.state, db, terminal, cursor, wait)


async def long_poll(state: Any, db: Database, terminal: Terminal, cursor: str | None,
                    wait: float) -> dict[str, Any]:
    """The pull's answer (also given by ``routers.pull_fast``)."""
    notifier = state.notifier
    cache = state.pull_cache
    reads = state.terminal_reads
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    woken = False
    while True:
        # the event before the answer: a change committed meanwhile still wakes us
        event = notifier.event_for(terminal.site_id)
        result = await cache.get(terminal.site_id, cursor,
                                 functools.partial(_pull_once, db, terminal.site_id, cursor),
                                 fresh=wait == 0)
        remaining = deadline - loop.time()
        done = bool(result["changes"] or result["more"] or result["reset"]
                    or remaining <= 0 or notifier.closed)
        # Read after the answer: a revocation committed before this read refuses it, so
        # nothing committed after a revocation is ever delivered. A revocation is a
        # change of the terminal's site: it wakes this long-poll, which ends here.
        # Not needed before a first wait with nothing new (the token check of this
        # request has just read it); a new cursor with nothing to deliver may be that
        # revocation's change. One query for all the long-polls the same change woke
        # (server.revocations).
        moved = result["cursor"] != cursor
        if (done or woken or moved) and await reads.is_revoked(terminal.id):
            raise ApiError(errors.TERMINAL_REVOKED,
                           "this terminal was revoked by an admin; it must stop syncing")
        if done:
            return result
        cursor = result["cursor"]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), remaining)
        woken = True
