"""POST /v1/cache-key: the terminal's message-cache key (docs/sync-protocol.md,
"The message cache's key")."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request

from server.auth import DB, AuthedTerminal
from server.protocol.cache_key import CacheKeyResponse
from server.protocol.common import ErrorBody
from server.repo import terminals
from server.routers.enroll import seal_public_key

log = logging.getLogger("server.cache_key")
router = APIRouter(tags=["enrollment"])


@router.post("/cache-key", response_model=CacheKeyResponse, responses={
    401: {"model": ErrorBody}, 403: {"model": ErrorBody}})
def cache_key(terminal: AuthedTerminal, db: DB, request: Request) -> CacheKeyResponse:
    """The key this terminal's message cache is encrypted with, made at the first call.
    A revoked terminal is refused before this (``terminal_revoked``), and its key is gone."""
    with db.write() as conn:
        key = terminals.cache_key(conn, terminal.id)
    log.info("terminal %s fetched its cache key", terminal.id)  # never the key itself
    return CacheKeyResponse(key=key.hex(), seal_public_key=seal_public_key(request))
