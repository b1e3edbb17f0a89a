"""POST /v1/status: a terminal's state report, for the console's fleet page
(docs/sync-protocol.md, "State reports")."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from server.auth import DB, AuthedTerminal
from server.db.types import utcnow
from server.protocol.common import ErrorBody
from server.protocol.status import REPORT_EVERY_S, StatusAnswer, StatusReport
from server.repo import fleet

log = logging.getLogger("server.status")
router = APIRouter(tags=["fleet"])


@router.post("/status", response_model=StatusAnswer, responses={
    401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 422: {"model": ErrorBody}})
def report(body: StatusReport, terminal: AuthedTerminal, db: DB) -> StatusAnswer:
    """Store the report as this terminal's latest state: the token (and signature) say
    which terminal it is, the body names none."""
    now = utcnow()
    with db.write() as conn:
        fleet.store_report(conn, terminal.id, body.model_dump(), now)
    log.info("terminal %s reported its state", terminal.id)
    return StatusAnswer(received_at=now, next_report_s=REPORT_EVERY_S)
