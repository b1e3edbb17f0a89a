"""Broadcasts from the console: sending one, and reminding those who have not
acknowledged it, with their audit entries (never the text: only its targets and
counts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from server.repo import broadcast_reads, directory, messages
from server.repo.audit import Actor, record
from server.services import messaging


def send(conn: Connection, actor: Actor, sender_id: int, body: str, *,
         site_ids: Sequence[int] = (), group_ids: Sequence[int] = (),
         employee_ids: Sequence[int] = (), ack_required: bool = False,
         reply_allowed: bool = True, expires_at: datetime | None = None,
         photo: bytes | None = None) -> str:
    """Send now; the recipients' terminals get it at their next pull. Refused
    ``no_recipients`` when nobody active is targeted."""
    message_id = messaging.broadcast(
        conn, sender_id, body, to_employees=employee_ids, to_groups=group_ids,
        site_ids=site_ids, ack_required=ack_required, expires_at=expires_at,
        reply_allowed=reply_allowed, photo=photo)
    total = broadcast_reads.counts(conn, message_id).total
    record(conn, actor, "broadcast.send", "message", message_id, {}, {
        "sites": sorted(site_ids), "groups": sorted(group_ids),
        "people": sorted(employee_ids), "recipients": total, "ack_required": ack_required,
        "reply_allowed": reply_allowed, "expires_at": expires_at,
        "photo": photo is not None}, directory.get_employee(conn, sender_id).site_id)
    return message_id


def remind(conn: Connection, actor: Actor, message_id: str) -> int:
    """Announce the message again to the terminals of those who have not acknowledged
    it: it comes back in front of them at their next badge-in (a terminal shows
    unacknowledged messages first). Returns how many are reminded."""
    waiting = broadcast_reads.not_acked(conn, message_id)
    if waiting:
        messages.announce(conn, message_id, with_recipients=True)
        sender = messages.get(conn, message_id).sender_id
        record(conn, actor, "broadcast.remind", "message", message_id, {},
               {"reminded": len(waiting)}, directory.get_employee(conn, sender).site_id)
    return len(waiting)
