"""Shared CLI plumbing: --db/--json options, opening the database, printing."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from server.attachment_store import StoreError
from server.db import Database, url_from_path

Result = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
Handler = Callable[[Database, argparse.Namespace], Result]


def add_command(group: Any, name: str, help_text: str, handler: Handler,
                with_db: bool = True) -> argparse.ArgumentParser:
    """A subcommand with --db and --json; ``handler`` returns rows or one record."""
    parser = group.add_parser(name, help=help_text, description=help_text)
    if with_db:
        parser.add_argument("--db", default=os.environ.get("KIOSK_DB"),
                            help="SQLite file or SQLAlchemy URL (default: $KIOSK_DB)")
        parser.add_argument("--attachments", default=None, metavar="DIR|s3://BUCKET/PREFIX",
                            help="where photos and drawings are kept (default: "
                                 "$KIOSK_ATTACHMENTS, else DB.attachments next to a SQLite "
                                 "file; required with PostgreSQL)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(handler=handler)
    return parser


# What opening --db raises for a URL or a server that cannot be used (ValueError: a port
# that is not a number).
DATABASE_ERRORS = (ArgumentError, OperationalError, ValueError)


def open_db(args: argparse.Namespace) -> Database:
    """The database of ``--db`` with its attachment store, migrated; a clear error (and
    exit status 1) when either cannot be used, never a traceback."""
    if not args.db:
        raise SystemExit("error: give --db PATH (or set KIOSK_DB)")
    try:
        db = Database(url_from_path(args.db), attachment_store=args.attachments)
        db.attachments.resolve()  # before migrating: the migration may move files into it
        db.migrate()
    except StoreError as exc:
        raise SystemExit(f"error: {exc}") from None
    except DATABASE_ERRORS as exc:
        raise SystemExit(f"error: {database_unusable(args.db, exc)}") from None
    return db


def database_unusable(db: str, exc: Exception) -> str:
    """What to tell the operator when ``--db`` cannot be opened: the URL without its
    password, and the driver's own first line (which says why: no such database,
    refused, bad password)."""
    try:
        shown = make_url(url_from_path(db)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        shown = db.split("@")[-1]  # not a URL at all: never echo what may be a password
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return f"cannot open the database --db {shown}: {reason}"


def id_list(text: str) -> list[int]:
    """'1,2, 3' -> [1, 2, 3] (argparse type)."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ids separated by commas: {text!r}") from None


def aware_time(text: str) -> datetime:
    """ISO 8601 with an offset (argparse type)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone offset: {text!r}")
    return value


def row_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def emit(result: Result, as_json: bool, columns: Sequence[str] | None = None) -> None:
    """Print a record or a list of records, as JSON or as aligned text (``columns`` only)."""
    if as_json:
        print(json.dumps(result, default=_plain, indent=2, ensure_ascii=False))
        return
    if result is None:
        return
    if isinstance(result, Mapping):
        for key, value in result.items():
            print(f"{key}: {_plain(value)}")
        return
    if not result:
        print("(none)")
        return
    columns = list(columns or result[0])
    cells = [[str(_plain(row.get(c, ""))) for c in columns] for row in result]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
