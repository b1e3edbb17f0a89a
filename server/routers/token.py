"""POST /v1/token: token rotation (see docs/sync-protocol.md, "Tokens rotate")."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request

from server.auth import DB, AuthedTerminal
from server.protocol.common import ErrorBody
from server.protocol.token import TokenRequest, TokenResponse
from server.repo import terminals

log = logging.getLogger("server.token")
router = APIRouter(tags=["enrollment"])


@router.post("/token", response_model=TokenResponse, responses={
    401: {"model": ErrorBody}, 403: {"model": ErrorBody}})
def rotate(request: Request, terminal: AuthedTerminal, db: DB,
           body: TokenRequest | None = None) -> TokenResponse:
    """A fresh token. The one this call was made with stays valid for the server's grace
    period (``previous_expires_at``), then stops; the terminal saves the new one first.
    A terminal without a public key yet registers the one it sends (see docs)."""
    grace = request.app.state.settings.token_grace
    with db.write() as conn:
        if body is not None and body.public_key is not None and not terminal.bound:
            terminals.bind_key(conn, terminal.id, bytes.fromhex(body.public_key))
            log.info("terminal %s registered its signing key", terminal.id)
        token, issued_at, previous_expires_at = terminals.rotate_token(
            conn, terminal.id, terminal.token_hash, grace)
    log.info("terminal %s rotated its token", terminal.id)
    return TokenResponse(token=token, issued_at=issued_at,
                         previous_expires_at=previous_expires_at)
