"""`serve` (run the HTTP server), `migrate` (bring a database up to date), `openapi`."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from server.attachment_store import StoreError
from server.cli.common import (
    DATABASE_ERRORS,
    Result,
    add_command,
    database_unusable,
    open_db,
)
from server.config import ServerSettings
from server.db import Database, url_from_path


def _settings(args: argparse.Namespace) -> ServerSettings:
    return dataclasses.replace(
        ServerSettings(),
        max_unreferenced_uploads=args.upload_quota_files,
        max_unreferenced_upload_bytes=args.upload_quota_mib * 1024 * 1024,
        token_grace=timedelta(hours=args.token_grace_hours),
        drawing_points_per_minute=args.drawing_points_per_minute,
        push_rows_per_minute=args.push_rows_per_minute,
        drawing_render_processes=args.render_processes,
        attachment_store=args.attachments)


def _serve(_db: Database | None, args: argparse.Namespace) -> Result:
    import uvicorn

    from server.app import create_app
    from server.serving import LongPollServer

    if not args.db:
        raise SystemExit("error: give --db PATH (or set KIOSK_DB)")
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _settings(args)
    _raise_open_file_limit()
    if args.workers == 1:
        try:
            app = create_app(args.db, settings)
        except StoreError as exc:
            raise SystemExit(f"error: {exc}") from None
        except DATABASE_ERRORS as exc:
            raise SystemExit(f"error: {database_unusable(args.db, exc)}") from None
        config = uvicorn.Config(app, host=args.host, port=args.port,
                                log_level=args.log_level, timeout_graceful_shutdown=5,
                                backlog=args.backlog)
        with contextlib.suppress(KeyboardInterrupt):  # SIGINT, re-raised once shut down
            LongPollServer(config).run()
        return None
    from uvicorn.supervisors import Multiprocess

    from server import asgi

    # Check the store and migrate once, here, before the workers start: each would race
    # the others, and uvicorn restarts a worker that fails to start, forever.
    open_db(args).dispose()
    os.environ[asgi.ENV] = asgi.encode(url_from_path(args.db), settings, args.log_level)
    config = uvicorn.Config("server.asgi:app_from_environment", factory=True,
                            host=args.host, port=args.port, log_level=args.log_level,
                            workers=args.workers, timeout_graceful_shutdown=5,
                            backlog=args.backlog)
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    return None


def _raise_open_file_limit() -> None:
    """Each held long-poll is an open socket: thousands of terminals need more than the
    usual soft limit of 1,024 descriptors. Raise it to the hard limit (the service unit's
    LimitNOFILE), which needs no privilege; workers inherit it."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _positive(text: str) -> int:
    """A whole number of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def _openapi(_db: Database | None, _args: argparse.Namespace) -> Result:
    from server.app import create_app

    print(json.dumps(create_app("sqlite://").openapi(), indent=2))
    return None


def _migrate(db: Database, _args: argparse.Namespace) -> Result:
    version = db.migrate()
    try:
        store = db.attachments.resolve().location
    except StoreError as exc:  # PostgreSQL with no store: migrated, but serve will ask
        store = f"not set: {exc}"
    return {"schema_version": version, "db": db.url, "attachments": store}


def _db_url(args: argparse.Namespace) -> str:
    if not args.db:
        raise SystemExit("error: give --db PATH (or set KIOSK_DB)")
    return url_from_path(args.db)


def _backup(_db: Database | None, args: argparse.Namespace) -> Result:
    from server.backups import BackupError, backup, files_folder

    try:
        written = backup(_db_url(args), args.out, args.attachments)
    except BackupError as exc:
        raise SystemExit(f"error: {exc.message}; {exc.fix}") from None
    return {"backup": str(written), "bytes": written.stat().st_size,
            "attachments": str(files_folder(written))}


def _restore(_db: Database | None, args: argparse.Namespace) -> Result:
    from server.backups import BackupError, restore

    url = _db_url(args)
    try:
        restore(args.source, url, force=args.force, attachment_store=args.attachments)
    except BackupError as exc:
        raise SystemExit(f"error: {exc.message}; {exc.fix}") from None
    return {"restored": str(args.source), "db": url,
            "next": "python -m server migrate (serve also does it at start)"}


def register(sub: Any) -> None:
    serve = add_command(sub, "serve", "run the sync server over HTTP", _serve)
    serve.set_defaults(needs_db=False)  # create_app opens and migrates it
    serve.add_argument("--host", default=os.environ.get("KIOSK_HOST", "127.0.0.1"),
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("KIOSK_PORT", "8080")),
                       help="TCP port (default 8080)")
    serve.add_argument("--workers", type=_positive, default=int(os.environ.get(
                           "KIOSK_WORKERS", "1")), metavar="N",
                       help="server processes sharing the port (default 1); periodic jobs "
                            "run in one of them. Behind a reverse proxy, see "
                            "docs/server-operations.md")
    serve.add_argument("--backlog", type=_positive, default=int(os.environ.get(
                           "KIOSK_BACKLOG", "2048")), metavar="N",
                       help="connections waiting to be accepted (default 2048; the kernel "
                            "caps it at net.core.somaxconn). Thousands of terminals "
                            "reconnecting at once after an outage need more")
    serve.add_argument("--log-level", default="info",
                       choices=["debug", "info", "warning", "error"])
    defaults = ServerSettings()
    serve.add_argument("--upload-quota-files", type=_positive, metavar="N",
                       default=defaults.max_unreferenced_uploads,
                       help="uploads a terminal may hold that no message names yet "
                            f"(default {defaults.max_unreferenced_uploads})")
    serve.add_argument("--upload-quota-mib", type=_positive, metavar="MIB",
                       default=defaults.max_unreferenced_upload_bytes // (1024 * 1024),
                       help="the same quota in MiB (default "
                            f"{defaults.max_unreferenced_upload_bytes // (1024 * 1024)})")
    serve.add_argument("--token-grace-hours", type=_positive, metavar="H",
                       default=int(defaults.token_grace.total_seconds() // 3600),
                       help="how long a terminal's token works after it rotated it "
                            "(default 168: a week)")
    serve.add_argument("--drawing-points-per-minute", type=_positive, metavar="N",
                       default=defaults.drawing_points_per_minute,
                       help="ink a terminal may have rendered per minute; more is deferred "
                            f"(default {defaults.drawing_points_per_minute})")
    serve.add_argument("--push-rows-per-minute", type=_positive, metavar="N",
                       default=defaults.push_rows_per_minute,
                       help="rows a terminal's pushes may write per minute (items, and a "
                            "recipient row per person a message reaches); more is deferred "
                            f"(default {defaults.push_rows_per_minute})")
    serve.add_argument("--render-processes", type=int, choices=range(0, 9), metavar="N",
                       default=defaults.drawing_render_processes,
                       help="worker processes rendering drawings, 0 to 8 (0: a thread of "
                            f"the server; default {defaults.drawing_render_processes})")
    add_command(sub, "migrate", "create or upgrade the database schema", _migrate)
    backup = add_command(sub, "backup", "write a consistent backup of the database (the "
                         "server may run): SQLite's online backup, or pg_dump", _backup)
    backup.set_defaults(needs_db=False)
    backup.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the backup file to write")
    restore = add_command(sub, "restore", "put a backup in place as the database (stop the "
                          "server first)", _restore)
    restore.set_defaults(needs_db=False)
    restore.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE",
                         help="a file written by 'backup'")
    restore.add_argument("--force", action="store_true",
                         help="replace an existing database")
    add_command(sub, "openapi", "print the OpenAPI document (JSON) of the HTTP API",
                _openapi, with_db=False).set_defaults(needs_db=False)
