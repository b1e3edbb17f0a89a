"""Shared dependencies: protocol version check and terminal authentication."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from contract import error_codes as errors
from contract.request_signing import SIGNATURE_HEADER, TIME_HEADER
from server.db import Database
from server.db.types import utcnow
from server.errors import ApiError
from server.protocol.common import (
    PROTOCOL_HEADER,
    PROTOCOL_HEADER_PATTERN,
    PROTOCOL_VERSION,
    SUPPORTED_VERSIONS,
    TOKEN_PATTERN,
)
from server.repo import terminals
from server.signatures import check_signature


@dataclass(frozen=True)
class Terminal:
    """The authenticated terminal making the request."""

    id: int
    site_id: int
    name: str
    token_hash: str = ""  # of the token the request came with (never the token)
    bound: bool = False  # the server holds its public key: its requests are signed


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` one on
# the thread pool, a round trip per request for nothing.
async def get_db(request: Request) -> Database:
    return request.app.state.db


async def check_protocol(
    version: Annotated[str | None, Header(alias=PROTOCOL_HEADER)] = None,
) -> int:
    """The client's protocol version (missing: 1); refuse the ones we don't speak."""
    if version is None:
        return PROTOCOL_VERSION
    # Only a few ASCII digits are parsed: str.isdigit() also takes other scripts' digits
    # and int() refuses thousands of them with an error of its own.
    shape_ok = PROTOCOL_HEADER_PATTERN.fullmatch(version.strip()) is not None
    if not shape_ok or int(version) not in SUPPORTED_VERSIONS:
        raise ApiError(errors.PROTOCOL_VERSION,
                       f"protocol version {version[:16]!r} is not supported by this server; "
                       f"supported: {', '.join(map(str, SUPPORTED_VERSIONS))}",
                       supported=list(SUPPORTED_VERSIONS))
    return int(version)


async def request_body(request: Request) -> bytes:
    """The body, read once (Starlette keeps it for the endpoint): a signature covers it."""
    return await request.body()


async def current_terminal(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    body: Annotated[bytes, Depends(request_body)],
    authorization: Annotated[str | None, Header()] = None,
) -> Terminal:
    """The terminal owning the bearer token; refuses missing, unknown and revoked tokens,
    and, for a terminal whose public key is known, requests it did not sign."""
    query = request.url.query
    return await authenticate(request.app.state, request.method,
                              request.url.path + (f"?{query}" if query else ""),
                              request.headers, body, authorization)


async def authenticate(state: Any, method: str, path_and_query: str,
                       headers: Mapping[str, str], body: bytes,
                       authorization: str | None) -> Terminal:
    """``current_terminal``'s work (also done by ``routers.pull_fast``).

    The token is read from the database for every request, in one query with the
    other requests arriving at the same moment (a change wakes a whole site's
    long-polls, and their next ones arrive together: ``server.revocations``)."""
    if not authorization:
        raise ApiError(errors.AUTH_REQUIRED, "send 'Authorization: Bearer <token>'; "
                       "enroll the terminal first to get a token")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or TOKEN_PATTERN.fullmatch(token) is None:
        raise ApiError(errors.INVALID_TOKEN, "the Authorization header must be 'Bearer <token>'")
    digest = terminals.hash_secret(token)
    found = await state.terminal_reads.by_token_hash(digest)
    if found is None:
        raise ApiError(errors.INVALID_TOKEN, "unknown token; enroll the terminal again")
    row, which = found
    if row.revoked_at is not None:
        raise ApiError(errors.TERMINAL_REVOKED,
                       "this terminal was revoked by an admin; it must stop syncing",
                       revoked_at=row.revoked_at.isoformat())
    if which == terminals.PREVIOUS and terminals.previous_token_expired(row):
        raise ApiError(errors.TOKEN_EXPIRED, "this token was replaced and its grace period "
                       "is over; enroll the terminal again")
    if row.public_key is not None:
        check_signature(bytes(row.public_key), method, path_and_query,
                        headers.get(SIGNATURE_HEADER), headers.get(TIME_HEADER), body, token)
    if terminals.needs_touch(row, which):
        if terminals.touch_ends_grace(row, which):  # security: written now
            await asyncio.to_thread(_touch_now, state.db, row, which)
        else:  # written with others' in a few seconds (server.touches)
            touches = state.touches
            if not touches.pending(row.id, which):
                touches.note(row.id, which, utcnow())
    return Terminal(id=row.id, site_id=row.site_id, name=row.name,
                    token_hash=digest, bound=row.public_key is not None)


def _touch_now(db: Database, row: Any, which: str) -> None:
    with db.write() as conn:
        terminals.touch(conn, row, which)


AuthedTerminal = Annotated[Terminal, Depends(current_terminal)]
DB = Annotated[Database, Depends(get_db)]
