"""Slowing password guessing: backoff per account and per client address, and a
lockout of the account that only an admin lifts (`accounts unlock`)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from server.config import ConsoleSettings
from server.repo import accounts


def _backoff(settings: ConsoleSettings, failures: int, threshold: int) -> timedelta:
    if failures < threshold:
        return timedelta(0)
    delay = settings.backoff_base * (2 ** min(failures - threshold, 20))
    return min(delay, settings.backoff_max)


def wait_seconds(conn: Connection, settings: ConsoleSettings, account: Any | None,
                 address: str, now: datetime) -> int:
    """Seconds to wait before this try may be checked; 0: check it now."""
    waits = [timedelta(0)]
    if account is not None and account.last_failed_at is not None:
        delay = _backoff(settings, account.failed_logins, settings.backoff_after)
        waits.append(account.last_failed_at + delay - now)
    count, latest = accounts.failures_from(conn, address, now - settings.address_window)
    if latest is not None:
        delay = _backoff(settings, count, settings.address_backoff_after)
        waits.append(latest + delay - now)
    return math.ceil(max(waits).total_seconds())


def note_failure(conn: Connection, settings: ConsoleSettings, email: str,
                 account: Any | None, address: str, reason: str, now: datetime) -> bool:
    """Record a failed login; True when it locked the account."""
    accounts.record_failure(conn, email, account.id if account else None, address, reason)
    if account is None or reason != "bad_password":
        return False
    failed = account.failed_logins + 1
    lock = failed >= settings.lockout_after and account.locked_at is None
    accounts.update_account(conn, account.id, failed_logins=failed, last_failed_at=now,
                            **({"locked_at": now} if lock else {}))
    return lock


def note_success(conn: Connection, account: Any) -> None:
    if account.failed_logins:
        accounts.update_account(conn, account.id, failed_logins=0, last_failed_at=None)
