"""Console accounts, their roles on sites, sessions and failed logins.

Passwords arrive here already hashed (server/console/auth/passwords.py), session
tokens as their SHA-256: this module never sees a secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from server.db.schema import (
    console_accounts,
    console_login_failures,
    console_roles,
    console_sessions,
)
from server.db.types import utcnow
from server.repo import NotFound, Refused
from server.repo.directory import get_employee, get_site

ROLES = ("hr_admin", "site_manager", "site_it", "viewer")
LANGUAGES = ("en", "fr")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    email = normalize_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or " " in email:
        raise Refused("invalid_email", f"not an e-mail address: {email!r}")
    return email


def create_account(conn: Connection, email: str, name: str, password_hash: str,
                   language: str = "en", employee_id: int | None = None) -> int:
    email = check_email(email)
    if not name.strip() or len(name) > 120:
        raise Refused("invalid_name", "a name has 1 to 120 characters")
    if language not in LANGUAGES:
        raise Refused("invalid_language", f"language must be one of {', '.join(LANGUAGES)}")
    if employee_id is not None:
        get_employee(conn, employee_id)
    try:
        with conn.begin_nested():
            return conn.execute(insert(console_accounts).values(
                email=email, name=name.strip(), password_hash=password_hash,
                language=language, employee_id=employee_id, active=True,
                created_at=utcnow(), failed_logins=0)).inserted_primary_key[0]
    except IntegrityError:
        raise Refused("duplicate_email", f"an account for {email} already exists") from None


def get_account(conn: Connection, account_id: int) -> Row[Any]:
    row = conn.execute(select(console_accounts)
                       .where(console_accounts.c.id == account_id)).first()
    if row is None:
        raise NotFound("unknown_account", f"no account with id {account_id}")
    return row


def find_by_email(conn: Connection, email: str) -> Row[Any] | None:
    return conn.execute(select(console_accounts).where(
        console_accounts.c.email == normalize_email(email))).first()


def account_by_email(conn: Connection, email: str) -> Row[Any]:
    row = find_by_email(conn, email)
    if row is None:
        raise NotFound("unknown_account", f"no account for {normalize_email(email)}")
    return row


def list_accounts(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(console_accounts).order_by(console_accounts.c.id)))


def update_account(conn: Connection, account_id: int, **fields: Any) -> None:
    allowed = {"name", "password_hash", "language", "active", "employee_id",
               "failed_logins", "last_failed_at", "locked_at"}
    if unknown := set(fields) - allowed:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if fields.get("language", "en") not in LANGUAGES:
        raise Refused("invalid_language", f"language must be one of {', '.join(LANGUAGES)}")
    get_account(conn, account_id)
    conn.execute(update(console_accounts).where(console_accounts.c.id == account_id)
                 .values(**fields))


def set_roles(conn: Connection, account_id: int, roles: list[tuple[str, int | None]]) -> None:
    """Replace the account's roles: (role, site id or None for every site)."""
    get_account(conn, account_id)
    for role, site_id in roles:
        if role not in ROLES:
            raise Refused("invalid_role", f"role must be one of {', '.join(ROLES)}")
        if site_id is not None:
            get_site(conn, site_id)
    conn.execute(delete(console_roles).where(console_roles.c.account_id == account_id))
    if roles:
        conn.execute(insert(console_roles), [
            {"account_id": account_id, "role": role, "site_id": site_id}
            for role, site_id in dict.fromkeys(roles)])


def roles_of(conn: Connection, account_id: int) -> list[tuple[str, int | None]]:
    rows = conn.execute(select(console_roles.c.role, console_roles.c.site_id)
                        .where(console_roles.c.account_id == account_id)
                        .order_by(console_roles.c.id))
    return [(row.role, row.site_id) for row in rows]


# Sessions ------------------------------------------------------------------------------

def create_session(conn: Connection, account_id: int, token_hash: str, csrf_token: str,
                   expires_at: datetime, client_address: str | None) -> int:
    now = utcnow()
    return conn.execute(insert(console_sessions).values(
        token_hash=token_hash, account_id=account_id, csrf_token=csrf_token,
        created_at=now, last_seen_at=now, expires_at=expires_at,
        client_address=client_address)).inserted_primary_key[0]


def session_by_token_hash(conn: Connection, token_hash: str) -> Row[Any] | None:
    return conn.execute(select(console_sessions)
                        .where(console_sessions.c.token_hash == token_hash)).first()


def touch_session(conn: Connection, session_id: int, when: datetime) -> None:
    conn.execute(update(console_sessions).where(console_sessions.c.id == session_id)
                 .values(last_seen_at=when))


def revoke_session(conn: Connection, session_id: int) -> None:
    conn.execute(update(console_sessions)
                 .where(console_sessions.c.id == session_id)
                 .where(console_sessions.c.revoked_at.is_(None))
                 .values(revoked_at=utcnow()))


def revoke_sessions_of(conn: Connection, account_id: int) -> int:
    """End every live session of the account (disabled, password reset); how many."""
    return conn.execute(update(console_sessions)
                        .where(console_sessions.c.account_id == account_id)
                        .where(console_sessions.c.revoked_at.is_(None))
                        .values(revoked_at=utcnow())).rowcount


def sessions_of(conn: Connection, account_id: int | None = None) -> list[Row[Any]]:
    query = (select(console_sessions.c.id, console_sessions.c.account_id,
                    console_sessions.c.created_at, console_sessions.c.last_seen_at,
                    console_sessions.c.expires_at, console_sessions.c.revoked_at,
                    console_sessions.c.client_address)
             .order_by(console_sessions.c.id))
    if account_id is not None:
        query = query.where(console_sessions.c.account_id == account_id)
    return list(conn.execute(query))


# Failed logins -------------------------------------------------------------------------

def record_failure(conn: Connection, email: str, account_id: int | None,
                   client_address: str, reason: str) -> None:
    conn.execute(insert(console_login_failures).values(
        email=normalize_email(email)[:254], account_id=account_id,
        client_address=client_address[:64], reason=reason, created_at=utcnow()))


def failures_from(conn: Connection, client_address: str,
                  since: datetime) -> tuple[int, datetime | None]:
    """Failed logins from this address since ``since``: (count, latest)."""
    row = conn.execute(select(func.count(), func.max(console_login_failures.c.created_at))
                       .where(console_login_failures.c.client_address == client_address)
                       .where(console_login_failures.c.created_at >= since)).one()
    return row[0], row[1]


def failures(conn: Connection, limit: int = 100) -> list[Row[Any]]:
    return list(conn.execute(select(console_login_failures)
                             .order_by(console_login_failures.c.id.desc()).limit(limit)))
