"""`terminals` commands: enrollment codes, listing, revoking."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from server.cli.common import Result, add_command, row_dict
from server.db import Database
from server.repo import terminals


def _code(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        code, expires_at = terminals.create_enrollment_code(
            conn, a.site, timedelta(minutes=a.ttl_minutes))
    return {"code": code, "site": a.site, "expires_at": expires_at}


def _list(db: Database, _a: argparse.Namespace) -> Result:
    with db.read() as conn:
        return [{k: v for k, v in row_dict(r).items() if k != "token_hash"}
                for r in terminals.list_terminals(conn)]


def _revoke(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        terminals.revoke(conn, a.terminal)
    return {"terminal": a.terminal, "revoked": True}


def register(sub: Any) -> None:
    term = sub.add_parser("terminals", help="enrolled terminals").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(term, "enroll-code", "make a one-time enrollment code for a site", _code)
    p.add_argument("--site", type=int, required=True)
    p.add_argument("--ttl-minutes", type=int, default=24 * 60,
                   help="minutes before the code expires (default 1440)")
    add_command(term, "list", "list terminals", _list)
    p = add_command(term, "revoke", "revoke a terminal: it stops syncing", _revoke)
    p.add_argument("terminal", type=int)
