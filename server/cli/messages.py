"""`moderation`, `messages` and `punches` commands."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import Any

from server.actions import moderation
from server.cli.common import Result, add_command, aware_time, row_dict
from server.db import Database
from server.db.types import utcnow
from server.repo import messages, punches
from server.repo.audit import CLI
from server.services import expiry, messaging


def _message_dict(row: Any, recipients: list[Any]) -> dict[str, Any]:
    out = {k: v for k, v in row_dict(row).items() if k != "drawing"}
    out["to_employees"] = json.loads(row.to_employees)
    out["to_groups"] = json.loads(row.to_groups)
    out["recipients"] = [{"employee_id": r.employee_id, "delivered_at": r.delivered_at,
                          "read_at": r.read_at, "acked_at": r.acked_at} for r in recipients]
    return out


def _list_messages(db: Database, a: argparse.Namespace, status: str | None) -> Result:
    with db.read() as conn:
        rows = messages.list_messages(conn, status=status, sender_id=a.sender, limit=a.limit)
        recipients = messages.recipients(conn, [r.id for r in rows])
        return [_message_dict(r, recipients[r.id]) for r in rows]


def _pending(db: Database, a: argparse.Namespace) -> Result:
    return _list_messages(db, a, "pending")


def _messages(db: Database, a: argparse.Namespace) -> Result:
    return _list_messages(db, a, a.status)


def _decide(approve: bool) -> Any:
    def handler(db: Database, a: argparse.Namespace) -> Result:
        with db.write() as conn:
            moderation.decide(conn, CLI, a.message, approve, getattr(a, "reason", None))
            row = messages.get(conn, a.message)
        return {"message": row.id, "status": row.status, "reason": row.rejection_reason}
    return handler


def _broadcast(db: Database, a: argparse.Namespace) -> Result:
    expires = utcnow() + timedelta(hours=a.expires_in_hours) if a.expires_in_hours else None
    with db.write() as conn:
        message_id = messaging.broadcast(
            conn, a.sender, a.body, to_employees=a.to_employee, to_groups=a.to_group,
            site_id=a.site, everyone=a.all, ack_required=a.ack_required, expires_at=expires,
            reply_allowed=not a.no_reply)
    return {"id": message_id}


def _prune(db: Database, _a: argparse.Namespace) -> Result:
    result = expiry.prune(db)
    return {"messages": result.messages, "attachments": result.attachments}


def _punches(db: Database, a: argparse.Namespace) -> Result:
    with db.read() as conn:
        rows = punches.list_punches(conn, a.employee, a.site, a.since, a.until, a.limit)
        return [row_dict(r) for r in rows]


MESSAGE_COLUMNS = ("id", "status", "sender_id", "kind", "created_at", "body")
PUNCH_COLUMNS = ("id", "employee_id", "direction", "wall_time", "received_at", "terminal_id",
                 "voided_at")


def _list_options(p: argparse.ArgumentParser) -> None:
    p.set_defaults(columns=MESSAGE_COLUMNS)
    p.add_argument("--sender", type=int, help="only messages from this employee")
    p.add_argument("--limit", type=int, default=200, help="newest N (default 200)")


def register(sub: Any) -> None:
    mod = sub.add_parser("moderation", help="messages waiting for HR").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    _list_options(add_command(mod, "list", "list messages pending approval", _pending))
    p = add_command(mod, "approve", "approve a pending message", _decide(True))
    p.add_argument("message", help="message id")
    p = add_command(mod, "reject", "reject a pending message with a reason", _decide(False))
    p.add_argument("message", help="message id")
    p.add_argument("--reason", required=True, help="shown to the sender")

    msg = sub.add_parser("messages", help="messages and broadcasts").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(msg, "broadcast", "send an HR message (never moderated)", _broadcast)
    p.add_argument("--sender", type=int, required=True, help="employee id shown as sender")
    p.add_argument("--body", required=True)
    p.add_argument("--to-employee", type=int, action="append", default=[], metavar="ID")
    p.add_argument("--to-group", type=int, action="append", default=[], metavar="ID")
    p.add_argument("--site", type=int, help="every active employee of this site")
    p.add_argument("--all", action="store_true", help="every active employee")
    p.add_argument("--ack-required", action="store_true",
                   help="recipients must acknowledge the message")
    p.add_argument("--expires-in-hours", type=float, help="hide the message after this")
    p.add_argument("--no-reply", action="store_true",
                   help="recipients may not answer (an announcement)")
    p = add_command(msg, "list", "list messages, newest first", _messages)
    _list_options(p)
    p.add_argument("--status", choices=["pending", "approved", "rejected"])
    add_command(msg, "prune", "delete expired messages and unused attachments now "
                "(the server also does it every 10 minutes)", _prune)

    pun = sub.add_parser("punches", help="clock-in/out events").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(pun, "list", "list punches by device wall time", _punches)
    p.add_argument("--employee", type=int)
    p.add_argument("--site", type=int, help="punches made on this site's terminals")
    p.add_argument("--since", type=aware_time, help="ISO 8601 with offset")
    p.add_argument("--until", type=aware_time, help="ISO 8601 with offset")
    p.add_argument("--limit", type=int, default=1000)
    p.set_defaults(columns=PUNCH_COLUMNS)
