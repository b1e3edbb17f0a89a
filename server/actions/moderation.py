"""Moderation decisions, with their audit entries."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from server.repo import directory, messages
from server.repo.audit import Actor, record

MAX_REASON = 500


def decide(conn: Connection, actor: Actor, message_id: str, approve: bool,
           reason: str | None = None) -> None:
    """Approve, or reject with a reason. Refused("not_pending") when already decided:
    the row is re-read inside the write transaction, which writers take one at a time,
    so two moderators can never both decide it."""
    message = messages.get(conn, message_id)
    messages.decide(conn, message_id, approve, reason)
    # The reason goes to the log; the message body never does.
    record(conn, actor, "message.approve" if approve else "message.reject", "message",
           message_id, {"status": message.status},
           {"status": "approved" if approve else "rejected",
            **({} if approve else {"rejection_reason": reason})},
           directory.get_employee(conn, message.sender_id).site_id)
