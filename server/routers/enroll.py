"""Enrollment (code -> token) and the unauthenticated server info."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request

from contract.sealing import encode_key
from server import __version__
from server.auth import DB
from server.db.types import utcnow
from server.protocol.common import PROTOCOL_VERSION, SUPPORTED_VERSIONS, ErrorBody
from server.protocol.enroll import EnrollRequest, EnrollResponse, ServerInfo
from server.repo import terminals

log = logging.getLogger("server.enroll")
router = APIRouter(tags=["enrollment"])


@router.get("/info", response_model=ServerInfo)
def info(request: Request) -> ServerInfo:
    """Server version, protocol versions spoken, the server clock, and the public key
    terminals seal their queued messages to."""
    return ServerInfo(server_version=__version__, supported_versions=list(SUPPORTED_VERSIONS),
                      server_time=utcnow(), seal_public_key=seal_public_key(request))


@router.post("/enroll", response_model=EnrollResponse, status_code=201, responses={
    400: {"model": ErrorBody}, 409: {"model": ErrorBody}, 410: {"model": ErrorBody}})
def enroll(body: EnrollRequest, db: DB, request: Request) -> EnrollResponse:
    """Trade a one-time enrollment code for this terminal's own token."""
    with db.write() as conn:
        terminal_id, token, site = terminals.redeem_code(conn, body.code, body.terminal_name)
        if body.public_key is not None:
            terminals.bind_key(conn, terminal_id, bytes.fromhex(body.public_key))
    log.info("terminal %s enrolled at site %s", terminal_id, site.id)
    return EnrollResponse(
        terminal_id=terminal_id, token=token, protocol_version=PROTOCOL_VERSION,
        site={"id": site.id, "name": site.name, "timezone": site.timezone,
              "language": site.language}, seal_public_key=seal_public_key(request))


def seal_public_key(request: Request) -> str:
    """The public half of the server's sealing key pair (``server.db.seal_key``)."""
    return encode_key(request.app.state.seal_keys.public)
