"""Terminals, their tokens, and one-time enrollment codes.

Only sha256 hashes of codes and tokens are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from server.db.schema import enrollment_codes, terminals
from server.db.types import utcnow
from server.protocol import errors
from server.repo import NotFound, Refused
from server.repo.directory import get_site

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
TOUCH_EVERY = timedelta(seconds=60)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_enrollment_code(conn: Connection, site_id: int, ttl: timedelta) -> tuple[str, datetime]:
    """Make a one-time code for a terminal of ``site_id``; returns (code, expires_at)."""
    get_site(conn, site_id)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    now = utcnow()
    conn.execute(insert(enrollment_codes).values(
        code_hash=hash_secret(raw), site_id=site_id, created_at=now, expires_at=now + ttl))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}", now + ttl


def redeem_code(conn: Connection, code: str, terminal_name: str) -> tuple[int, str, Row[Any]]:
    """Use a code once: make the terminal; returns (terminal id, token, site row)."""
    code_hash = hash_secret(normalize_code(code))
    row = conn.execute(
        select(enrollment_codes).where(enrollment_codes.c.code_hash == code_hash)).first()
    now = utcnow()
    if row is None:
        raise Refused(errors.ENROLLMENT_CODE_INVALID, "unknown enrollment code")
    if row.used_at is not None:
        raise Refused(errors.ENROLLMENT_CODE_USED, "this enrollment code was already used; "
                      "ask an admin for a new one")
    if row.expires_at <= now:
        raise Refused(errors.ENROLLMENT_CODE_EXPIRED, "this enrollment code has expired; "
                      "ask an admin for a new one")
    token = secrets.token_urlsafe(32)
    terminal_id = conn.execute(insert(terminals).values(
        name=terminal_name, site_id=row.site_id, token_hash=hash_secret(token), created_at=now,
    )).inserted_primary_key[0]
    used = conn.execute(update(enrollment_codes)
                        .where(enrollment_codes.c.id == row.id)
                        .where(enrollment_codes.c.used_at.is_(None))
                        .values(used_at=now, terminal_id=terminal_id))
    if used.rowcount != 1:  # lost a race with another enrollment
        raise Refused(errors.ENROLLMENT_CODE_USED, "this enrollment code was already used")
    return terminal_id, token, get_site(conn, row.site_id)


def by_token(conn: Connection, token: str) -> Row[Any] | None:
    query = select(terminals).where(terminals.c.token_hash == hash_secret(token))
    return conn.execute(query).first()


def needs_touch(terminal: Row[Any]) -> bool:
    """last_seen_at is refreshed at most once a minute."""
    return terminal.last_seen_at is None or utcnow() - terminal.last_seen_at > TOUCH_EVERY


def touch(conn: Connection, terminal_id: int) -> None:
    conn.execute(update(terminals).where(terminals.c.id == terminal_id)
                 .values(last_seen_at=utcnow()))


def note_seq(conn: Connection, terminal_id: int, seq: int) -> None:
    conn.execute(update(terminals).where(terminals.c.id == terminal_id)
                 .where((terminals.c.last_seq.is_(None)) | (terminals.c.last_seq < seq))
                 .values(last_seq=seq))


def revoke(conn: Connection, terminal_id: int) -> None:
    row = conn.execute(select(terminals.c.id).where(terminals.c.id == terminal_id)).first()
    if row is None:
        raise NotFound("unknown_terminal", f"no terminal with id {terminal_id}")
    conn.execute(update(terminals).where(terminals.c.id == terminal_id)
                 .where(terminals.c.revoked_at.is_(None)).values(revoked_at=utcnow()))


def list_terminals(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(terminals).order_by(terminals.c.id)))
