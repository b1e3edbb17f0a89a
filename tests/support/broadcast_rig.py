"""Broadcasts for the console's tests: accounts linked to the employee they are (the
sender of what they broadcast), and receipts as terminals report them."""

from __future__ import annotations

from server.db import Database
from server.db.types import utcnow
from server.repo import accounts, messages


def link(db: Database, email: str, employee_id: int) -> None:
    with db.write() as conn:
        account = accounts.find_by_email(conn, email)
        assert account is not None
        accounts.update_account(conn, account.id, employee_id=employee_id)


def receipt(db: Database, message_id: str, employee_id: int, read: bool = True,
            acked: bool = False) -> None:
    now = utcnow()
    with db.write() as conn:
        messages.record_times(conn, message_id, employee_id, {
            "delivered_at": now, "read_at": now if read else None,
            "acked_at": now if acked else None})
