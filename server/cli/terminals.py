"""`terminals` commands: enrollment codes, listing, revoking (audited, as from the console)."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any

from server.actions import terminals as actions
from server.cli.common import Result, add_command, row_dict
from server.db import Database
from server.db.types import utcnow
from server.repo import terminals
from server.repo.audit import CLI


def _code(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        code, expires_at = actions.make_code(conn, CLI, a.site,
                                             timedelta(minutes=a.ttl_minutes))
    return {"code": code, "site": a.site, "expires_at": expires_at}


_SECRETS = ("token_hash", "previous_token_hash", "token_issued_at", "token_last_used_at",
            "previous_token_expires_at", "previous_token_last_used_at")


def _age(now: datetime, then: datetime | None) -> str | None:
    """'3d 4h', '5h 12m', '40s': enough to tell a fresh token from a forgotten one."""
    if then is None:
        return None
    seconds = max(0, int((now - then).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m" if minutes else f"{seconds}s"


def _list(db: Database, _a: argparse.Namespace) -> Result:
    """Each terminal with its tokens' age and last use (never the tokens or hashes)."""
    now = utcnow()
    with db.read() as conn:
        rows = terminals.list_terminals(conn)
    out = []
    for r in rows:
        shown = {k: v for k, v in row_dict(r).items() if k not in _SECRETS}
        shown["token_age"] = _age(now, r.token_issued_at or r.created_at)
        shown["token_last_used"] = _age(now, r.token_last_used_at)
        if r.previous_token_hash is not None:
            expired = r.previous_token_expires_at <= now
            shown["previous_token"] = "expired" if expired else (
                f"valid until {r.previous_token_expires_at.isoformat(timespec='seconds')}")
            shown["previous_token_last_used"] = _age(now, r.previous_token_last_used_at)
        out.append(shown)
    return out


def _revoke(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        actions.revoke(conn, CLI, a.terminal)
    return {"terminal": a.terminal, "revoked": True}


def register(sub: Any) -> None:
    term = sub.add_parser("terminals", help="enrolled terminals").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(term, "enroll-code", "make a one-time enrollment code for a site", _code)
    p.add_argument("--site", type=int, required=True)
    p.add_argument("--ttl-minutes", type=int, default=24 * 60,
                   help="minutes before the code expires (default 1440)")
    add_command(term, "list", "list terminals, with each token's age and last use", _list)
    p = add_command(term, "revoke", "revoke a terminal: it stops syncing", _revoke)
    p.add_argument("terminal", type=int)
