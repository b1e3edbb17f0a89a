"""``GET /health``: for monitoring and load balancers, no token and no protocol header.

It answers 200 when the server can run a query on its database, 503 otherwise (the
database down, its file gone, the pool exhausted for more than two seconds), so a
reverse proxy or a monitoring probe can tell a live server from one that only accepts
connections.  Nothing about the data is said: the body holds the version only.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from server import __version__
from server.db import Database

log = logging.getLogger(__name__)

router = APIRouter(tags=["operations"])

CHECK_TIMEOUT_S = 2.0


def _query(db: Database) -> None:
    with db.read() as conn:
        conn.execute(text("SELECT 1"))


@router.get("/health", summary="Is the server up and its database reachable?")
async def health(request: Request) -> JSONResponse:
    db: Database = request.app.state.db
    try:
        await asyncio.wait_for(asyncio.to_thread(_query, db), CHECK_TIMEOUT_S)
    except Exception as exc:  # any failure is 'unavailable': the probe wants one answer
        log.warning("health check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable",
                             "version": __version__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "version": __version__})
