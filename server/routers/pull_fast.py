"""GET /v1/pull without FastAPI's per-request machinery, for well-formed requests.

5,000 long-polling terminals make hundreds of pulls a second, and a change every site
sees wakes them all at once; FastAPI's request handling (routing, dependency solving,
parameter validation, response validation) was most of the server's CPU per pull. This
ASGI middleware answers the plain, well-formed long-poll itself with the same code
(``auth.authenticate``, ``routers.pull.long_poll``), the same response model and the
same error bodies, and hands everything else (a bad protocol header, a query that is
not simply ``cursor`` and ``wait`` in range, a body, repeated headers) to the FastAPI
route, which answers as it always did and is the one documented in OpenAPI.

Added first, so it runs inside the other middleware (protocol stamp, crash guard).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import URL, Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth import authenticate
from server.errors import refusal_response
from server.protocol.common import (
    MAX_WAIT_SECONDS,
    PROTOCOL_HEADER,
    PROTOCOL_HEADER_PATTERN,
    SUPPORTED_VERSIONS,
)
from server.repo import Refused
from server.routers.pull import answer, long_poll

PATH = "/v1/pull"
MAX_CURSOR_CHARS = 200  # as the FastAPI route's Query(max_length=200)
_WAIT = re.compile(r"[0-9]{1,2}(\.[0-9]{1,3})?")
_WATCHED = {b"authorization", PROTOCOL_HEADER.lower().encode("ascii"),
            b"x-kiosk-signature", b"x-kiosk-time", b"content-length", b"transfer-encoding",
            b"accept-encoding"}


def _plain_query(raw: bytes) -> tuple[str | None, float] | None:
    """(cursor, wait) when the query is only those, well-formed; None otherwise."""
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, strict_parsing=bool(raw))
    except (UnicodeDecodeError, ValueError):
        return None
    found = dict(pairs)
    if len(found) != len(pairs) or not set(found) <= {"cursor", "wait"}:
        return None
    cursor = found.get("cursor")
    if cursor is not None and not 0 < len(cursor) <= MAX_CURSOR_CHARS:
        return None
    wait_text = found.get("wait", "0")
    if _WAIT.fullmatch(wait_text) is None or float(wait_text) > MAX_WAIT_SECONDS:
        return None
    return cursor, float(wait_text)


def _plain_headers(scope: Scope) -> dict[str, str] | None:
    """The request's headers when none of those that matter here repeats and it has
    no body; None otherwise."""
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name in _WATCHED:
            key = name.decode("latin-1")
            if key in headers:
                return None
            headers[key] = value.decode("latin-1")
    if headers.get("content-length", "0") != "0" or "transfer-encoding" in headers:
        return None
    version = headers.get(PROTOCOL_HEADER.lower())
    if version is not None and (PROTOCOL_HEADER_PATTERN.fullmatch(version.strip()) is None
                                or int(version) not in SUPPORTED_VERSIONS):
        return None
    return headers


class FastPull:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        query = _plain_query(scope.get("query_string", b""))
        headers = _plain_headers(scope) if query is not None else None
        if query is None or headers is None:
            await self.app(scope, receive, send)
            return
        cursor, wait = query
        state: Any = scope["app"].state
        url = URL(scope=scope)
        signed_path = url.path + (f"?{url.query}" if url.query else "")
        try:
            terminal = await authenticate(state, "GET", signed_path, Headers(scope=scope),
                                          b"", headers.get("authorization"))
            result = await long_poll(state, state.db, terminal, cursor, wait)
        except Refused as exc:
            await refusal_response(exc)(scope, receive, send)
            return
        response = await answer(result, headers.get("accept-encoding", ""))
        await response(scope, receive, send)
