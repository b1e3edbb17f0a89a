"""`serve` (run the HTTP server), `migrate` (bring a database up to date), `openapi`."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
from types import FrameType
from typing import Any

from server.cli.common import Result, add_command
from server.db import Database


def _serve(_db: Database | None, args: argparse.Namespace) -> Result:
    import uvicorn

    from server.app import create_app

    if not args.db:
        raise SystemExit("error: give --db PATH (or set KIOSK_DB)")
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(args.db)
    notifier = app.state.notifier

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # Answer held long-polls now: uvicorn waits for open requests before
            # shutting the app down, and a long-poll would hold it up to 25 s.
            notifier.close_threadsafe()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level,
                            timeout_graceful_shutdown=5)
    with contextlib.suppress(KeyboardInterrupt):  # SIGINT, re-raised once shut down
        Server(config).run()
    return None


def _openapi(_db: Database | None, _args: argparse.Namespace) -> Result:
    from server.app import create_app

    print(json.dumps(create_app("sqlite://").openapi(), indent=2))
    return None


def _migrate(db: Database, _args: argparse.Namespace) -> Result:
    return {"schema_version": db.migrate(), "db": db.url}


def register(sub: Any) -> None:
    serve = add_command(sub, "serve", "run the sync server over HTTP", _serve)
    serve.set_defaults(needs_db=False)  # create_app opens and migrates it
    serve.add_argument("--host", default=os.environ.get("KIOSK_HOST", "127.0.0.1"),
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("KIOSK_PORT", "8080")),
                       help="TCP port (default 8080)")
    serve.add_argument("--log-level", default="info",
                       choices=["debug", "info", "warning", "error"])
    add_command(sub, "migrate", "create or upgrade the database schema", _migrate)
    add_command(sub, "openapi", "print the OpenAPI document (JSON) of the HTTP API",
                _openapi, with_db=False).set_defaults(needs_db=False)
