"""The plain long-poll is answered without FastAPI's request machinery
(``server.routers.pull_fast``); it must answer exactly as the FastAPI route does."""

from __future__ import annotations

import re

import httpx
import pytest
from server_testkit import Terminal

# A repeated protocol header sends the request down the FastAPI route (which reads the
# first); without it, the same request takes the lean path.
TO_FASTAPI = [("X-Kiosk-Protocol", "1"), ("X-Kiosk-Protocol", "1")]
VARYING = ("date", "content-length")


def _both(terminal: Terminal, params: dict[str, str]) -> tuple[httpx.Response, httpx.Response]:
    lean = terminal.get("/v1/pull", params=params)
    request = terminal.build_request("GET", "/v1/pull", params=params)
    request.headers = httpx.Headers([*request.headers.multi_items(), *TO_FASTAPI])
    return lean, terminal.send(request)


def _same(lean: httpx.Response, full: httpx.Response) -> None:
    def body(r: httpx.Response) -> str:
        return re.sub(r'"server_time":"[^"]*"', '"server_time":"…"', r.text)

    assert lean.status_code == full.status_code
    assert body(lean) == body(full)
    assert sorted(h for h in lean.headers.items() if h[0] not in VARYING) == \
        sorted(h for h in full.headers.items() if h[0] not in VARYING)


@pytest.mark.parametrize("params", [{}, {"wait": "0.5"}, {"cursor": "not-ours"}],
                         ids=["first pull", "long-poll", "bad cursor"])
def test_the_lean_pull_answers_byte_for_byte_as_the_fastapi_route(
        terminal: Terminal, params: dict[str, str]) -> None:
    _same(*_both(terminal, params))
