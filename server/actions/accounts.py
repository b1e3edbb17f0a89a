"""Console accounts (create, disable, reset, unlock, roles), with their audit entries.
Passwords go in as text and are hashed here; the audit log only notes that one changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from server.repo import accounts
from server.repo.audit import Actor, record
from server.services.passwords import hash_password


def _state(conn: Connection, account_id: int) -> dict[str, Any]:
    row = accounts.get_account(conn, account_id)
    roles = [f"{role}@{site if site is not None else '*'}"
             for role, site in accounts.roles_of(conn, account_id)]
    return {"email": row.email, "name": row.name, "language": row.language,
            "employee_id": row.employee_id, "active": row.active,
            "locked": row.locked_at is not None, "roles": roles}


def create_account(conn: Connection, actor: Actor, email: str, name: str, password: str,
                   roles: list[tuple[str, int | None]], language: str = "en",
                   employee_id: int | None = None) -> int:
    account_id = accounts.create_account(conn, email, name, hash_password(password),
                                         language, employee_id)
    accounts.set_roles(conn, account_id, roles)
    record(conn, actor, "account.create", "account", account_id, {},
           _state(conn, account_id))
    return account_id


def set_active(conn: Connection, actor: Actor, account_id: int, active: bool) -> None:
    before = _state(conn, account_id)
    accounts.update_account(conn, account_id, active=active)
    if not active:
        accounts.revoke_sessions_of(conn, account_id)
    record(conn, actor, "account.enable" if active else "account.disable", "account",
           account_id, before, _state(conn, account_id))


def reset_password(conn: Connection, actor: Actor, account_id: int, password: str) -> None:
    """A new password; every session of the account ends, and a lockout is lifted."""
    accounts.get_account(conn, account_id)
    accounts.update_account(conn, account_id, password_hash=hash_password(password),
                            failed_logins=0, locked_at=None)
    accounts.revoke_sessions_of(conn, account_id)
    record(conn, actor, "account.password_reset", "account", account_id,
           {"password": "(old)"}, {"password": "(new)"})


def unlock(conn: Connection, actor: Actor, account_id: int) -> None:
    before = _state(conn, account_id)
    accounts.update_account(conn, account_id, failed_logins=0, locked_at=None)
    record(conn, actor, "account.unlock", "account", account_id, before,
           _state(conn, account_id))


def set_roles(conn: Connection, actor: Actor, account_id: int,
              roles: list[tuple[str, int | None]]) -> None:
    before = _state(conn, account_id)
    accounts.set_roles(conn, account_id, roles)
    record(conn, actor, "account.roles", "account", account_id, before,
           _state(conn, account_id))


def set_language(conn: Connection, actor: Actor, account_id: int, language: str) -> None:
    before = _state(conn, account_id)
    accounts.update_account(conn, account_id, language=language)
    record(conn, actor, "account.language", "account", account_id, before,
           _state(conn, account_id))


def end_sessions(conn: Connection, actor: Actor, account_id: int) -> int:
    """End every live session of the account; how many there were."""
    accounts.get_account(conn, account_id)
    ended = accounts.revoke_sessions_of(conn, account_id)
    record(conn, actor, "account.logout", "account", account_id, {"sessions": ended},
           {"sessions": 0})
    return ended
