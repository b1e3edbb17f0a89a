"""Server-side sessions. The cookie carries a random token; the database keeps only its
SHA-256, so a copy of the database opens no session. Each session has its own CSRF
token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.config import ConsoleSettings
from server.db import Database
from server.db.types import utcnow
from server.repo import accounts

COOKIE = "kiosk_console"
# last_seen_at is written at most this often: a page and its partials do not each write.
TOUCH_EVERY = timedelta(seconds=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    id: int
    account_id: int
    csrf_token: str


def start(db: Database, settings: ConsoleSettings, account_id: int,
          client_address: str | None) -> tuple[str, Session]:
    """A new session; returns the cookie's token (shown to nobody else) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with db.write() as conn:
        session_id = accounts.create_session(
            conn, account_id, token_hash(token), csrf, utcnow() + settings.absolute_lifetime,
            client_address)
    return token, Session(session_id, account_id, csrf)


def _alive(row: Any, settings: ConsoleSettings, now: datetime) -> bool:
    return (row.revoked_at is None and now < row.expires_at
            and now < row.last_seen_at + settings.idle_timeout)


def resume(db: Database, settings: ConsoleSettings, token: str | None) -> Session | None:
    """The live session of this cookie token, or None (unknown, idle too long, past its
    lifetime, revoked, or its account disabled or locked)."""
    if not token or len(token) > 100:
        return None
    now = utcnow()
    with db.read() as conn:
        row = accounts.session_by_token_hash(conn, token_hash(token))
        if row is None or not _alive(row, settings, now):
            return None
        account = accounts.get_account(conn, row.account_id)
        if not account.active or account.locked_at is not None:
            return None
    if now - row.last_seen_at > TOUCH_EVERY:
        with db.write() as conn:
            accounts.touch_session(conn, row.id, now)
    return Session(row.id, row.account_id, row.csrf_token)


def end(db: Database, session_id: int) -> None:
    with db.write() as conn:
        accounts.revoke_session(conn, session_id)
