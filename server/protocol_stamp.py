"""Stamp every answer of this server with the protocol header.

A terminal treats a refusal as final only when it comes from this server (see
docs/sync-protocol.md, "Trust"): a proxy's or a firewall's error page carries no
``X-Kiosk-Protocol`` header, so the terminal keeps its items and tries again later.
Pure ASGI, outermost: the crash guard's 500 and the body limiter's 413 get it too.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.protocol.common import PROTOCOL_HEADER, PROTOCOL_VERSION

_HEADER = (PROTOCOL_HEADER.lower().encode("ascii"), str(PROTOCOL_VERSION).encode("ascii"))


class ProtocolStamp:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), _HEADER]
            await send(message)

        await self.app(scope, receive, stamped)
