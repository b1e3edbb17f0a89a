"""Refuse request bodies above a size cap before anything reads them whole.

Starlette's own limiter answers in plain text; the protocol promises JSON errors.
The rest of an oversized body is read and thrown away (up to DRAIN_CAP) before
answering: closing a socket with unread data makes the client's TCP stack drop
our 413 along with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract import error_codes as errors
from server.protocol.common import error_body

DRAIN_CAP = 64 * 1024 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


async def _drain(receive: Receive, more: bool = True) -> None:
    drained = 0
    while more and drained < DRAIN_CAP:
        message = await receive()
        if message["type"] != "http.request":
            return
        drained += len(message.get("body", b""))
        more = message.get("more_body", False)


class BodyLimitMiddleware:
    """Pure ASGI: checks Content-Length, then counts streamed bytes."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _drain(receive)
            await _refuse(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                await _drain(receive, message.get("more_body", False))
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(error_body(errors.PAYLOAD_TOO_LARGE,
                                 f"request body larger than {limit} bytes", limit=limit)).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
