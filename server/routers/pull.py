"""GET /v1/pull: changes for the terminal's site, long-polled.

The wait is an asyncio.Event per site (``server.notify``): a held long-poll costs
no thread. Answers come from ``server.pull_cache``: the terminals a change wakes
share one query. A large answer (a first sync's pages, ~250 KB of JSON each) is sent
gzip-compressed to a client that accepts it (every terminal does: ``requests``): about
a tenth of the bytes over a site's network for a millisecond or two of CPU per page.
Small answers (a long-poll woken by a change) are sent as they are: compressing them
would save little and cost CPU once per woken terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter

from contract import error_codes as errors
from server.auth import DB, AuthedTerminal, Terminal
from server.db import Database
from server.errors import ApiError
from server.protocol.common import MAX_WAIT_SECONDS, ErrorBody
from server.protocol.pull import PullResponse
from server.services import pull as pull_service

router = APIRouter(tags=["sync"])
GZIP_FROM_BYTES = 16 * 1024
GZIP_LEVEL = 5  # on a pull page: 9-10x smaller in ~1.5 ms; level 9 gains 1% for 3x the CPU


def accepts_gzip(accept_encoding: str) -> bool:
    """Does an Accept-Encoding header allow gzip (not ``gzip;q=0``)?"""
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


_ADAPTER: TypeAdapter[PullResponse] = TypeAdapter(PullResponse)


async def answer(result: dict[str, Any], accept_encoding: str) -> Response:
    """The JSON of ``result`` (as FastAPI would render it), gzipped when large and
    accepted (``routers.pull_fast`` answers with it too)."""
    body = _ADAPTER.dump_json(_ADAPTER.validate_python(result), by_alias=True)
    headers = {"Vary": "Accept-Encoding"}
    if len(body) >= GZIP_FROM_BYTES and accepts_gzip(accept_encoding):
        body = await asyncio.to_thread(gzip.compress, body, GZIP_LEVEL)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)


def _pull_once(db: Database, site_id: int, cursor: str | None) -> dict[str, Any]:
    with db.read() as conn:
        return pull_service.pull(conn, site_id, cursor)


@router.get("/pull", response_model=PullResponse, responses={
    400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody}})
async def pull(
    request: Request, terminal: AuthedTerminal, db: DB,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS)] = 0,
) -> Response:
    """Changes after ``cursor``; with nothing new, hold up to ``wait`` seconds for one."""
    result = await long_poll(request.app.state, db, terminal, cursor, wait)
    return await answer(result, request.headers.get("accept-encoding", ""))


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
