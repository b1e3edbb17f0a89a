"""Who may write to whom, moderation, and admin broadcasts."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from contract import error_codes as errors
from server.db import schema
from server.db.schema import employees
from server.protocol.push import Drawing as WireDrawing
from server.protocol.push import MessagePayload
from server.repo import Refused, attachments, changes, groups, messages
from server.repo.batch import Batch
from server.repo.directory import require_active_employee
from server.services import drawings
from server.services.drawings import Rendered


def _visible_parent(conn: Connection, reply_to: str, sender_id: int) -> Row[Any]:
    """The message answered, if the sender may see it (else unknown_message)."""
    unknown = Refused(errors.UNKNOWN_MESSAGE, f"no message with id {reply_to}",
                      message_id=reply_to)
    try:
        parent = messages.get(conn, reply_to)
    except Refused:
        raise unknown from None
    if parent.sender_id == sender_id:
        return parent
    recipient_ids = {r.employee_id for r in messages.recipients(conn, [reply_to])[reply_to]}
    if parent.status != "approved" or sender_id not in recipient_ids:
        raise unknown
    return parent


def _group_recipients(batch: Batch, sender: Row[Any], authority: str, group_id: int,
                      in_contacts: bool) -> tuple[dict[int, int], bool]:
    """Active members (id -> site) of a group the sender posts to, and its moderation."""
    group, details = batch.group(group_id)
    if authority != "hr":
        if not in_contacts:
            raise Refused(errors.NOT_IN_CONTACT_LIST,
                          f"group {group_id} is not in the contact list of employee "
                          f"{sender.id}", group_id=group_id)
        if not any(m.employee_id == sender.id and m.can_post for m in details):
            raise Refused(errors.GROUP_POST_NOT_ALLOWED,
                          f"employee {sender.id} may not post to group {group_id}",
                          group_id=group_id)
    return {m.employee_id: m.site_id for m in details if m.active}, group.moderated


def terminal_authority(batch: Batch, sender: Row[Any], site_id: int) -> str:
    """The role a message written on a terminal of ``site_id`` is held to.

    HR and managers keep their authority (HR: past contact lists and moderation; both:
    asking for an acknowledgement) only where the site setting
    ``terminal_staff_authority`` is on. Elsewhere a terminal token, or a copy of one,
    never carries more than a worker's rights: HR writes from the console.
    """
    if sender.role != "worker" and batch.staff_authority(site_id):
        return str(sender.role)
    return "worker"


def add_from_terminal(batch: Batch, message_id: str, terminal: Row[Any],
                      p: MessagePayload, rendered: Rendered | None = None) -> None:
    """Check the rules for a message written on a terminal, or raise Refused; then add
    its rows (message, recipients, change log) to the batch. ``rendered`` is the
    drawing's picture, rendered before the transaction (``drawings.DrawingRenderer``)."""
    batch.active_employee(p.sender_id)
    sender = batch.works_at(p.sender_id, terminal.site_id)
    authority = terminal_authority(batch, sender, terminal.site_id)
    is_hr = authority == "hr"
    if p.ack_required and authority == "worker":
        raise Refused(errors.NOT_ALLOWED, "only managers and HR may ask for an acknowledgement"
                      " (from a terminal: where the site allows it)")
    parent = (_visible_parent(batch.connection(), str(p.reply_to), sender.id)
              if p.reply_to else None)
    if parent is not None and not parent.reply_allowed and parent.sender_id != sender.id:
        raise Refused(errors.REPLY_NOT_ALLOWED, f"message {parent.id} takes no replies",
                      message_id=parent.id)
    if p.attachment_sha256 and not batch.attachment_usable(
            p.attachment_sha256, terminal.id, terminal.site_id):
        raise Refused(errors.UNKNOWN_ATTACHMENT, "upload the attachment before the message",
                      sha256=p.attachment_sha256)
    allowed_employees, allowed_groups = batch.contacts(sender.id)
    if parent is not None:  # one may always answer the sender
        allowed_employees = allowed_employees | {parent.sender_id}
    recipients: dict[int, int] = {}
    for employee_id in dict.fromkeys(p.to_employees):
        recipient = batch.active_employee(employee_id)
        if not is_hr and employee_id not in allowed_employees:
            raise Refused(errors.NOT_IN_CONTACT_LIST,
                          f"employee {employee_id} is not in the contact list of employee "
                          f"{sender.id}", employee_id=employee_id)
        recipients[employee_id] = recipient.site_id
    moderated = sender.moderated
    for group_id in dict.fromkeys(p.to_groups):
        members, group_moderated = _group_recipients(
            batch, sender, authority, group_id, group_id in allowed_groups)
        recipients.update(members)
        moderated = moderated or group_moderated
    recipients.pop(sender.id, None)
    if not recipients:
        raise Refused(errors.NO_RECIPIENTS, "nobody active would receive this message")
    status = "pending" if moderated and not is_hr else "approved"
    attachment_sha256 = p.attachment_sha256
    if p.drawing is not None:  # last: every check passed
        attachment_sha256, png = rendered or drawings.render(p.drawing)
        batch.add_attachment(attachment_sha256, drawings.CONTENT_TYPE, png, terminal.id)
    row, recipient_rows = messages.message_rows({
        "id": message_id, "thread_id": parent.thread_id if parent else message_id,
        "reply_to": parent.id if parent else None, "sender_id": sender.id,
        "origin_terminal_id": terminal.id, "kind": p.kind, "body": p.body,
        "attachment_sha256": attachment_sha256,
        "drawing": p.drawing.model_dump_json() if p.drawing else None,
        "to_employees": list(dict.fromkeys(p.to_employees)),
        "to_groups": list(dict.fromkeys(p.to_groups)),
        "ack_required": p.ack_required, "expires_at": p.expires_at, "written_at": p.written_at,
        "status": status,
    }, recipients)
    sender_sites = {sender.site_id, terminal.site_id}  # messages.sender_sites, known here
    # Recipients who work at several sites read it at each of them.
    batch.prefetch_employees(recipients)
    visiting = {site for employee_id in recipients for site in batch.sites_of(employee_id)}
    batch.add(schema.messages, [row])
    batch.add(schema.message_recipients, recipient_rows)
    batch.add(schema.changes, changes.rows("message", message_id, messages.announced_sites(
        sender_sites, recipients, status) | (visiting if status == "approved" else set())))


# As for a terminal's upload (ServerSettings.max_attachment_bytes' default).
MAX_BROADCAST_PHOTO_BYTES = 8 * 1024 * 1024


def broadcast(conn: Connection, sender_id: int, body: str, *, to_employees: Sequence[int] = (),
              to_groups: Sequence[int] = (), site_id: int | None = None, everyone: bool = False,
              site_ids: Sequence[int] = (), ack_required: bool = False,
              expires_at: datetime | None = None, reply_allowed: bool = True,
              photo: bytes | None = None,
              drawing: dict[str, Any] | None = None) -> str:
    """An admin message, never moderated; returns its id. ``reply_allowed=False``: an
    announcement its recipients may not answer.  ``photo`` (JPEG bytes) or ``drawing``
    (the wire form, rendered here like a terminal's) make it a picture message; the
    body is then its caption."""
    sender = require_active_employee(conn, sender_id)
    kind, attachment_sha256 = "text", None
    if photo is not None:
        if not photo.startswith(b"\xff\xd8\xff") or len(photo) > MAX_BROADCAST_PHOTO_BYTES:
            raise Refused(errors.INVALID_PAYLOAD, "a broadcast photo is a JPEG of at most "
                          f"{MAX_BROADCAST_PHOTO_BYTES} bytes")
        kind, attachment_sha256 = "photo", hashlib.sha256(photo).hexdigest()
        attachments.put(conn, attachment_sha256, "image/jpeg", photo, None)
    elif drawing is not None:
        kind = "drawing"
        attachment_sha256, png = drawings.render(WireDrawing.model_validate(drawing))
        attachments.put(conn, attachment_sha256, drawings.CONTENT_TYPE, png, None)
    if (kind == "text" and not body.strip()) or len(body) > 4000:
        raise Refused("invalid_body", "a broadcast needs a body of 1 to 4000 characters")
    recipients: dict[int, int] = {}
    for employee_id in to_employees:
        recipients[employee_id] = require_active_employee(conn, employee_id).site_id
    for group_id in to_groups:
        groups.get_group(conn, group_id)
        recipients.update({m.employee_id: m.site_id
                           for m in groups.member_details(conn, group_id) if m.active})
    wanted_sites = [*([site_id] if site_id is not None else []), *site_ids]
    if everyone or wanted_sites:  # everyone whose home site is one of them
        query = select(employees.c.id, employees.c.site_id).where(employees.c.active)
        if not everyone:
            query = query.where(employees.c.site_id.in_(wanted_sites))
        recipients.update({row.id: row.site_id for row in conn.execute(query)})
    recipients.pop(sender_id, None)
    if not recipients:
        raise Refused(errors.NO_RECIPIENTS, "nobody active would receive this broadcast")
    message_id = str(uuid.uuid4())
    messages.insert_message(conn, {
        "id": message_id, "thread_id": message_id, "reply_to": None, "sender_id": sender_id,
        "origin_terminal_id": None, "kind": kind, "body": body,
        "attachment_sha256": attachment_sha256,
        "drawing": WireDrawing.model_validate(drawing).model_dump_json() if drawing else None,
        "to_employees": list(to_employees), "to_groups": list(to_groups),
        "ack_required": ack_required, "expires_at": expires_at, "written_at": None,
        "status": "approved", "reply_allowed": reply_allowed,
    }, recipients, {sender.site_id})
    return message_id


def record_receipt(batch: Batch, site_id: int, message_id: str, employee_id: int,
                   times: dict[str, datetime | None], ack: bool = False) -> None:
    """A recipient saw, read or acknowledged an approved message, on a terminal of
    ``site_id`` (where they must work)."""
    batch.active_employee(employee_id)
    batch.works_at(employee_id, site_id)
    conn = batch.connection()
    message = messages.get(conn, message_id)
    if message.status != "approved":
        raise Refused(errors.UNKNOWN_MESSAGE, f"no message with id {message_id}",
                      message_id=message_id)
    if ack and not message.ack_required:
        raise Refused(errors.ACK_NOT_REQUIRED,
                      f"message {message_id} does not ask for an acknowledgement",
                      message_id=message_id)
    messages.record_times(conn, message_id, employee_id, times,
                          batch.sender_sites(message) | batch.sites_of(employee_id))
