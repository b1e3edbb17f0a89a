"""Terminals: enrollment codes, renaming, revoking, and a stolen terminal, with their
audit entries. Never a code, a token or a key in the log: only that one was made or
dropped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection

from server.db.schema import terminals as terminals_table
from server.repo import NotFound, Refused, fleet, terminals
from server.repo.audit import Actor, record

MAX_NAME = 120
CODE_TTL = timedelta(hours=24)


def _terminal(conn: Connection, terminal_id: int):  # noqa: ANN202 - a Row
    row = conn.execute(select(terminals_table).where(
        terminals_table.c.id == terminal_id)).first()
    if row is None:
        raise NotFound("unknown_terminal", f"no terminal with id {terminal_id}")
    return row


def make_code(conn: Connection, actor: Actor, site_id: int,
              ttl: timedelta = CODE_TTL) -> tuple[str, datetime]:
    """A one-time enrollment code for a terminal of ``site_id``: (code, expires_at)."""
    code, expires_at = terminals.create_enrollment_code(conn, site_id, ttl)
    record(conn, actor, "terminal.enrollment_code", "site", site_id, {},
           {"enrollment_code": "made", "expires_at": expires_at.isoformat()}, site_id)
    return code, expires_at


def rename(conn: Connection, actor: Actor, terminal_id: int, name: str) -> None:
    name = name.strip()
    if not name or len(name) > MAX_NAME or "\x00" in name:
        raise Refused("invalid_name", f"a terminal's name is 1 to {MAX_NAME} characters")
    row = _terminal(conn, terminal_id)
    fleet.rename(conn, terminal_id, name)
    record(conn, actor, "terminal.rename", "terminal", terminal_id, {"name": row.name},
           {"name": name}, row.site_id)


def revoke(conn: Connection, actor: Actor, terminal_id: int) -> bool:
    """Revoke the terminal (its long-polls end, its cache key is dropped); False when it
    was revoked already (nothing changes, nothing is logged)."""
    row = _terminal(conn, terminal_id)
    if row.revoked_at is not None:
        return False
    terminals.revoke(conn, terminal_id)
    after = _terminal(conn, terminal_id)
    record(conn, actor, "terminal.revoke", "terminal", terminal_id,
           {"revoked_at": None, "cache_key": "held" if row.cache_key else None},
           {"revoked_at": after.revoked_at.isoformat(), "cache_key": None}, row.site_id)
    return True


def report_stolen(conn: Connection, actor: Actor, terminal_id: int) -> fleet.Held:
    """Revoke (if not yet) and say what the terminal held at its last sync; the audit
    entry keeps those counts."""
    row = _terminal(conn, terminal_id)
    held = fleet.held_by(conn, row.site_id, row.last_seen_at)
    if row.revoked_at is None:
        terminals.revoke(conn, terminal_id)
    after = _terminal(conn, terminal_id)
    record(conn, actor, "terminal.report_stolen", "terminal", terminal_id,
           {"revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
            "cache_key": "held" if row.cache_key else None, "stolen": None},
           {"revoked_at": after.revoked_at.isoformat(), "cache_key": None,
            "stolen": f"held {held.employees} people, {held.badges} badges, "
                      f"{held.messages} messages"}, row.site_id)
    return held
