"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI
from pydantic.json_schema import models_json_schema

from contract.sealing import OVERHEAD
from server import __version__, console, errors
from server.actions.scheduled_broadcasts import send_due_periodically
from server.auth import check_protocol
from server.config import ServerSettings
from server.db import Database, url_from_path
from server.db.seal_key import load_seal_keys
from server.leader import Leadership, lead
from server.limits import BodyLimitMiddleware
from server.notify import ChangeNotifier, listen, watch
from server.protocol.push import PAYLOAD_MODELS, PushRequest
from server.protocol_stamp import ProtocolStamp
from server.pull_cache import PullCache
from server.revocations import TerminalReads
from server.routers import attachments, cache_key, enroll, health, pull, push, status, token
from server.routers.attachments import UploadsInFlight
from server.routers.pull_fast import FastPull
from server.routers.push import HeavyGate
from server.services.compaction import compact_periodically
from server.services.drawings import DrawingRenderer, MinuteBudget
from server.services.expiry import prune_periodically
from server.services.push import PushLimits
from server.touches import TouchBuffer

# How often the terminals' last use is written (server.touches).
TOUCH_FLUSH_S = 5.0

DESCRIPTION = """Sync API of the time-clock messaging terminals.
Every error body is `{"error": {"code", "message", ...}}`. The sync rules are in
docs/sync-protocol.md; item payload schemas are the `*Payload` components."""


def create_app(db_url: str, settings: ServerSettings | None = None) -> FastAPI:
    """Build the app on ``db_url`` (SQLAlchemy URL or SQLite file path); migrates the db."""
    settings = settings or ServerSettings()
    notifier = ChangeNotifier()
    db = Database(url_from_path(db_url), on_commit=notifier.notify_threadsafe,
                  attachment_store=settings.attachment_store)
    db.attachments.resolve()  # no store: refuse to start, saying what to set
    db.migrate()
    with db.read() as conn:  # the migration made it; the private key stays in this process
        seal_keys = load_seal_keys(conn)
    renderer = DrawingRenderer(settings.drawing_render_processes)

    async def periodic_jobs() -> None:
        await asyncio.gather(prune_periodically(db, settings.prune_interval),
                             compact_periodically(db, settings.compact_interval),
                             send_due_periodically(db, settings.scheduled_send_interval))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        notifier.bind(asyncio.get_running_loop())
        stop_listening = threading.Event()
        if db.is_postgresql:  # other processes' commits arrive as notifications
            watcher = asyncio.create_task(listen(db, notifier, stop_listening))
        else:  # SQLite has no notifications: one cheap query a second
            watcher = asyncio.create_task(watch(db, notifier, settings.watch_interval))
        # Periodic jobs run in one process of all those serving this database.
        pruner = asyncio.create_task(lead(leadership, periodic_jobs, settings.leader_retry_s))
        toucher = asyncio.create_task(touches.flush_periodically(TOUCH_FLUSH_S))
        try:
            yield
        finally:
            notifier.close()
            stop_listening.set()
            for task in (watcher, pruner, toucher):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            with contextlib.suppress(Exception):  # logged by the periodic flush already
                await asyncio.to_thread(touches.flush)
            renderer.close()
            db.dispose()

    app = FastAPI(title="Kiosk time-clock server", version=__version__,
                  description=DESCRIPTION, lifespan=lifespan)
    app.state.db = db
    leadership = Leadership(db)
    app.state.leadership = leadership
    app.state.notifier = notifier
    app.state.pull_cache = PullCache(notifier)
    app.state.terminal_reads = TerminalReads(db)
    touches = app.state.touches = TouchBuffer(db)
    app.state.settings = settings
    app.state.seal_keys = seal_keys
    app.state.heavy_gate = HeavyGate()
    app.state.uploads_in_flight = UploadsInFlight()
    app.state.push_limits = PushLimits(
        renderer, MinuteBudget(settings.drawing_points_per_minute),
        settings.drawing_points_per_request, MinuteBudget(settings.push_rows_per_minute))

    def body_limit(path: str) -> int:
        if path.startswith("/v1/attachments/"):
            return settings.max_attachment_bytes + OVERHEAD  # a sealed picture's box
        return settings.max_json_bytes

    # First added, so innermost: the plain long-poll skips FastAPI's per-request work.
    app.add_middleware(FastPull)
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit)
    errors.install(app)
    app.add_middleware(ProtocolStamp)  # last added: outermost, stamps every answer
    for module in (enroll, token, cache_key, push, pull, attachments, status):
        app.include_router(module.router, prefix="/v1", dependencies=[Depends(check_protocol)])
    app.include_router(health.router)  # monitoring: no token, no protocol header
    console.install(app)  # the HR console's pages, under /console
    _add_payload_schemas(app)
    return app


def _add_payload_schemas(app: FastAPI) -> None:
    """Publish the per-kind push payload models in the OpenAPI components."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = base()
            _, defs = models_json_schema(
                [(model, "validation") for model in (*PAYLOAD_MODELS.values(), PushRequest)],
                ref_template="#/components/schemas/{model}")
            schema.setdefault("components", {}).setdefault("schemas", {}).update(
                defs.get("$defs", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
