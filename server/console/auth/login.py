"""Checking a login: throttling first, then the password, recording every failure."""

from __future__ import annotations

from dataclasses import dataclass

from server.config import ConsoleSettings
from server.console.auth import throttle
from server.db import Database
from server.db.types import utcnow
from server.repo import accounts
from server.services import passwords


@dataclass(frozen=True)
class LoginResult:
    account_id: int | None = None
    # None when it succeeded; else "bad_credentials", "locked", "wait".
    refusal: str | None = None
    wait_s: int = 0


def attempt(db: Database, settings: ConsoleSettings, email: str, password: str,
            client_address: str) -> LoginResult:
    """Never tells whether the address names an account: an unknown address, a wrong
    password and a disabled account all answer bad_credentials."""
    now = utcnow()
    with db.read() as conn:
        account = accounts.find_by_email(conn, email)
        wait = throttle.wait_seconds(conn, settings, account, client_address, now)
    if wait > 0:
        with db.write() as conn:
            accounts.record_failure(conn, email, account.id if account else None,
                                    client_address, "throttled")
        return LoginResult(refusal="wait", wait_s=wait)
    # Verified even for an unknown address (a dummy hash): the same time either way.
    good = passwords.verify(account.password_hash if account else None, password)
    if account is not None and account.locked_at is not None:
        reason = "locked"
    elif account is None or not account.active:
        reason = "unknown_or_disabled"
    else:
        reason = None if good else "bad_password"
    with db.write() as conn:
        if reason is None:
            throttle.note_success(conn, account)
            return LoginResult(account_id=account.id)
        locked_now = throttle.note_failure(conn, settings, email, account, client_address,
                                           reason, now)
    if reason == "locked" and good or locked_now:
        # Only whoever knows the password learns that the account is locked (or the
        # one whose try locked it): a guesser is not told which accounts exist.
        return LoginResult(refusal="locked")
    return LoginResult(refusal="bad_credentials")
