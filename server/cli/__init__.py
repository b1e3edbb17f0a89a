"""Admin command line: `python -m server <command> ...` (`--help` everywhere)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from server.cli import (
    accounts,
    directory,
    groups,
    messages,
    serve,
    settings,
    terminals,
    tour,
)
from server.cli.common import emit, open_db
from server.repo import Refused

MODULES = (serve, directory, settings, groups, terminals, messages, accounts, tour)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m server",
        description="Central server of the time-clock messaging terminals: run it, "
                    "and administer sites (and their terminals' settings), employees, badges, "
                    "groups, terminals, messages and HR console accounts.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db = open_db(args) if getattr(args, "needs_db", True) else None
    try:
        result = args.handler(db, args)
    except Refused as refused:
        if args.json:
            print(json.dumps({"error": refused.detail()}), file=sys.stderr)
        else:
            print(f"error: {refused.message}", file=sys.stderr)
        return 1
    finally:
        if db is not None:
            db.dispose()
    emit(result, args.json, getattr(args, "columns", None))
    return 0
