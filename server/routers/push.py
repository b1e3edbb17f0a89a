"""POST /v1/push: the terminal's outbox, applied item by item."""

from __future__ import annotations

from fastapi import APIRouter, Request

from server.auth import DB, AuthedTerminal
from server.protocol.common import ErrorBody
from server.protocol.push import PushRequest, PushResponse
from server.services import push as push_service

router = APIRouter(tags=["sync"])


@router.post("/push", response_model=PushResponse, response_model_exclude_none=True, responses={
    401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 413: {"model": ErrorBody}})
def push(request: Request, body: PushRequest, terminal: AuthedTerminal, db: DB) -> PushResponse:
    """Apply a batch; each item is accepted, a duplicate, rejected with an error, or
    deferred (send it again after ``error.retry_after_s``)."""
    limits = request.app.state.drawing_limits
    return PushResponse(results=push_service.push(db, terminal, body.items, limits))
