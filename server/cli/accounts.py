"""`accounts` commands: console accounts (the first HR admin is made here).

Passwords are read from standard input (one line), never from the command line, where
other users of the host could read them in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from server.actions import accounts as account_actions
from server.cli.common import Result, add_command, id_list
from server.db import Database
from server.repo import Refused, accounts
from server.repo.audit import CLI

SITE_WIDE_ROLES = ("site_manager", "site_it")


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise Refused("password_mismatch", "the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _roles(a: argparse.Namespace) -> list[tuple[str, int | None]]:
    if not a.sites:
        if a.role in SITE_WIDE_ROLES:
            raise Refused("sites_required", f"a {a.role} needs --sites")
        return [(a.role, None)]
    if a.role == "hr_admin":
        raise Refused("no_sites_for_hr_admin", "an hr_admin has every site: leave out --sites")
    return [(a.role, site) for site in a.sites]


def _shown(db_conn: Any, row: Any) -> dict[str, Any]:
    roles = accounts.roles_of(db_conn, row.id)
    return {"id": row.id, "email": row.email, "name": row.name, "language": row.language,
            "employee_id": row.employee_id, "active": row.active,
            "locked": row.locked_at is not None,
            "roles": ", ".join(f"{r}@{'every site' if s is None else s}" for r, s in roles)}


def _create(db: Database, a: argparse.Namespace) -> Result:
    roles = _roles(a)
    password = _read_password()
    with db.write() as conn:
        account_id = account_actions.create_account(
            conn, CLI, a.email, a.name, password, roles, a.language, a.employee)
        return _shown(conn, accounts.get_account(conn, account_id))


def _list(db: Database, _a: argparse.Namespace) -> Result:
    with db.read() as conn:
        return [_shown(conn, row) for row in accounts.list_accounts(conn)]


def _set_active(active: bool) -> Any:
    def handler(db: Database, a: argparse.Namespace) -> Result:
        with db.write() as conn:
            account = accounts.account_by_email(conn, a.email)
            account_actions.set_active(conn, CLI, account.id, active)
            return _shown(conn, accounts.get_account(conn, account.id))
    return handler


def _reset(db: Database, a: argparse.Namespace) -> Result:
    password = _read_password()
    with db.write() as conn:
        account = accounts.account_by_email(conn, a.email)
        account_actions.reset_password(conn, CLI, account.id, password)
        return _shown(conn, accounts.get_account(conn, account.id))


def _unlock(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        account = accounts.account_by_email(conn, a.email)
        account_actions.unlock(conn, CLI, account.id)
        return _shown(conn, accounts.get_account(conn, account.id))


def _set_roles(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        account = accounts.account_by_email(conn, a.email)
        account_actions.set_roles(conn, CLI, account.id, _roles(a))
        return _shown(conn, accounts.get_account(conn, account.id))


def _sessions(db: Database, a: argparse.Namespace) -> Result:
    """Sessions of one account, or of all; never a token (only its hash is stored)."""
    with db.read() as conn:
        account_id = accounts.account_by_email(conn, a.email).id if a.email else None
        emails = {row.id: row.email for row in accounts.list_accounts(conn)}
        return [{"id": row.id, "email": emails.get(row.account_id), "created_at": row.created_at,
                 "last_seen_at": row.last_seen_at, "expires_at": row.expires_at,
                 "revoked_at": row.revoked_at, "client_address": row.client_address}
                for row in accounts.sessions_of(conn, account_id)]


def _logout(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        account = accounts.account_by_email(conn, a.email)
        ended = account_actions.end_sessions(conn, CLI, account.id)
    return {"email": account.email, "sessions_ended": ended}


def _role_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", required=True, choices=accounts.ROLES,
                   help="hr_admin: everything, every site; site_manager: people, contacts, "
                        "groups and moderation of its sites; site_it: terminals and settings "
                        "of its sites; viewer: read only")
    p.add_argument("--sites", type=id_list, default=[], metavar="IDS",
                   help="site ids, e.g. 1,3 (site_manager and site_it need them; a viewer "
                        "without them sees every site)")


def register(sub: Any) -> None:
    acc = sub.add_parser("accounts", help="HR console accounts").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(acc, "create", "create a console account; the password is read from "
                    "standard input", _create)
    p.add_argument("--email", required=True, help="the login")
    p.add_argument("--name", required=True, help="shown in the console and the audit log")
    _role_options(p)
    p.add_argument("--language", choices=accounts.LANGUAGES, default="en",
                   help="the console's language for this account")
    p.add_argument("--employee", type=int, help="the employee this account is, if any")
    p.set_defaults(columns=("id", "email", "name", "active", "locked", "roles"))
    p = add_command(acc, "list", "list console accounts and their roles", _list)
    p.set_defaults(columns=("id", "email", "name", "active", "locked", "roles"))
    for name, active in (("disable", False), ("enable", True)):
        p = add_command(acc, name, f"{name} an account (disable also ends its sessions)",
                        _set_active(active))
        p.add_argument("email")
    p = add_command(acc, "reset", "set a new password (read from standard input); ends "
                    "the account's sessions and lifts a lockout", _reset)
    p.add_argument("email")
    p = add_command(acc, "unlock", "lift a lockout after too many failed logins", _unlock)
    p.add_argument("email")
    p = add_command(acc, "sessions", "list console sessions (live and ended)", _sessions)
    p.add_argument("email", nargs="?", help="only this account's")
    p.set_defaults(columns=("id", "email", "created_at", "last_seen_at", "revoked_at",
                            "client_address"))
    p = add_command(acc, "logout", "end every session of an account now", _logout)
    p.add_argument("email")
    p = add_command(acc, "roles", "replace an account's role and sites", _set_roles)
    p.add_argument("email")
    _role_options(p)
