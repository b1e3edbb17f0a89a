"""POST /v1/push: the terminal's outbox, applied item by item.

The body is read here, not by FastAPI, so that a large one (drawings: up to the 2 MiB
cap) is parsed and applied behind ``HeavyGate``: one large push at a time per server
process, while small ones (a punch) go straight through. Parsing goes from bytes to
models in one step (``model_validate_json``), on a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from contract import error_codes as errors
from server.auth import DB, AuthedTerminal, Terminal
from server.db import Database
from server.errors import ApiError
from server.protocol.common import ErrorBody
from server.protocol.push import PushRequest, PushResponse
from server.services import push as push_service
from server.services import sealed
from server.services.push import PushLimits

router = APIRouter(tags=["sync"])

# Bodies above this are "large": a few drawings, or hundreds of items after a day offline.
LARGE_BODY_BYTES = 64 * 1024
BODY_SCHEMA = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/PushRequest"}}}}}


class HeavyGate:
    """At most one large push parsed and applied at a time, per server process: the
    others wait their turn on the event loop, holding no thread and no CPU."""

    def __init__(self) -> None:
        self._semaphore: asyncio.Semaphore | None = None  # made on the server's loop

    def enter(self, size: int) -> contextlib.AbstractAsyncContextManager[Any]:
        if size <= LARGE_BODY_BYTES:
            return contextlib.nullcontext()
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(1)
        return self._semaphore


def _parse(body: bytes) -> PushRequest:
    """The request, or the same 400/422 as FastAPI's own parsing."""
    try:
        return PushRequest.model_validate_json(body)
    except ValidationError as exc:
        problem = exc
    if any(e["type"] == "json_invalid" for e in problem.errors()):
        # pydantic's parser refuses a lone surrogate escape ("\ud800"), which is valid
        # JSON and which Python's json.dumps writes: parsed here, such text is refused
        # item by item (RequestModel) instead of blocking a terminal's whole outbox.
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            pass
        else:
            try:
                return PushRequest.model_validate(data)
            except ValidationError as exc:
                problem = exc
    raise RequestValidationError([{**e, "loc": ("body", *e["loc"])}
                                  for e in problem.errors(include_input=False)]) from None


def _parse_and_push(body: bytes, terminal: Terminal, db: Database,
                    limits: PushLimits, seal_key: bytes) -> PushResponse:
    items = sealed.open_items(_parse(body).items, seal_key)
    return PushResponse(results=push_service.push(db, terminal, items, limits))


@router.post("/push", response_model=PushResponse, response_model_exclude_none=True,
             openapi_extra=BODY_SCHEMA, responses={
                 400: {"model": ErrorBody}, 401: {"model": ErrorBody},
                 403: {"model": ErrorBody}, 413: {"model": ErrorBody},
                 422: {"model": ErrorBody}, 429: {"model": ErrorBody}})
async def push(request: Request, terminal: AuthedTerminal, db: DB) -> PushResponse:
    """Apply a batch; each item is accepted, a duplicate, rejected with an error, or
    deferred (send it again after ``error.retry_after_s``)."""
    body = await request.body()
    limits: PushLimits = request.app.state.push_limits
    wait = max(limits.ink.wait_before_large_push(terminal.id),
               limits.rows.wait_before_large_push(terminal.id))
    if len(body) > LARGE_BODY_BYTES and wait:
        raise ApiError(errors.RATE_LIMITED, "this terminal sent a lot lately; "
                       "send this again later", retry_after_s=max(1, math.ceil(wait)))
    async with request.app.state.heavy_gate.enter(len(body)):
        return await asyncio.to_thread(_parse_and_push, body, terminal, db, limits,
                                       request.app.state.seal_keys.private)
