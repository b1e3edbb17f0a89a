"""Messages, their recipients and per-recipient delivered/read/acked times."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from contract import error_codes as errors
from server.db.schema import employee_sites, employees, message_recipients, messages, terminals
from server.db.types import utcnow
from server.repo import NotFound, Refused, changes

TIME_FIELDS = ("delivered_at", "read_at", "acked_at")


def message_rows(values: dict[str, Any],
                 recipients: dict[int, int]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``messages`` row and the ``message_recipients`` rows of a new message."""
    row = {**values, "to_employees": json.dumps(values["to_employees"]),
           "to_groups": json.dumps(values["to_groups"]), "created_at": utcnow()}
    return row, [{"message_id": values["id"], "employee_id": emp, "site_id": site}
                 for emp, site in sorted(recipients.items())]


def announced_sites(sender_sites: set[int], recipients: dict[int, int],
                    status: str) -> set[int]:
    """Sites whose change log gets a new message: its sender's, and its recipients' once
    approved (what ``announce`` computes, from values at hand)."""
    if status == "approved":
        return sender_sites | set(recipients.values())
    return set(sender_sites)


def insert_message(conn: Connection, values: dict[str, Any], recipients: dict[int, int],
                   sender_site_ids: set[int] | None = None) -> None:
    """Store a message; ``recipients`` maps employee id -> that employee's site id.

    ``sender_site_ids`` (see ``sender_sites``) saves reading them back when known.
    """
    row, recipient_rows = message_rows(values, recipients)
    conn.execute(insert(messages), [row])
    conn.execute(insert(message_recipients), recipient_rows)
    if sender_site_ids is None:
        sender_site_ids = sender_sites(conn, get(conn, values["id"]))
    sites = announced_sites(sender_site_ids, recipients, values["status"])
    if values["status"] == "approved":  # recipients who also work at other sites
        sites |= recipient_sites(conn, values["id"])
    changes.record(conn, "message", values["id"], sites)


def existing_ids(conn: Connection, message_ids: list[str]) -> set[str]:
    """Those of these ids that are messages already."""
    found: set[str] = set()
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start:start + 500]
        found.update(conn.execute(select(messages.c.id).where(messages.c.id.in_(chunk)))
                     .scalars())
    return found


def get(conn: Connection, message_id: str) -> Row[Any]:
    row = conn.execute(select(messages).where(messages.c.id == message_id)).first()
    if row is None:
        raise NotFound(errors.UNKNOWN_MESSAGE, f"no message with id {message_id}",
                       message_id=message_id)
    return row


def sender_sites(conn: Connection, message: Row[Any]) -> set[int]:
    """Sites that see the message whatever its moderation state."""
    sites = {conn.execute(select(employees.c.site_id)
                          .where(employees.c.id == message.sender_id)).scalar_one()}
    if message.origin_terminal_id is not None:
        sites.add(conn.execute(select(terminals.c.site_id)
                               .where(terminals.c.id == message.origin_terminal_id)).scalar_one())
    return sites


def sender_sites_of(conn: Connection, rows: list[Row[Any]]) -> dict[str, set[int]]:
    """``sender_sites`` of many messages in two queries (a pull page: 500 messages)."""
    sender_ids = sorted({r.sender_id for r in rows})
    terminal_ids = sorted({r.origin_terminal_id for r in rows if r.origin_terminal_id})
    homes: dict[int, int] = {}
    for start in range(0, len(sender_ids), 500):
        homes.update((row.id, row.site_id) for row in conn.execute(
            select(employees.c.id, employees.c.site_id).where(
                employees.c.id.in_(sender_ids[start:start + 500]))))
    origins: dict[int, int] = {}
    for start in range(0, len(terminal_ids), 500):
        origins.update((row.id, row.site_id) for row in conn.execute(
            select(terminals.c.id, terminals.c.site_id).where(
                terminals.c.id.in_(terminal_ids[start:start + 500]))))
    return {r.id: {homes[r.sender_id]} | (
        {origins[r.origin_terminal_id]} if r.origin_terminal_id is not None else set())
        for r in rows}


def recipient_sites(conn: Connection, message_id: str) -> set[int]:
    """Every site a recipient works at: their home sites, and their other sites."""
    of_message = message_recipients.c.message_id == message_id
    home = select(message_recipients.c.site_id).where(of_message)
    other = (select(employee_sites.c.site_id)
             .join(message_recipients,
                   message_recipients.c.employee_id == employee_sites.c.employee_id)
             .where(of_message))
    return set(conn.execute(home.union(other)).scalars())


def recipients(conn: Connection, message_ids: list[str]) -> dict[str, list[Row[Any]]]:
    result: dict[str, list[Row[Any]]] = {mid: [] for mid in message_ids}
    rows = conn.execute(select(message_recipients)
                        .where(message_recipients.c.message_id.in_(message_ids))
                        .order_by(message_recipients.c.employee_id))
    for row in rows:
        result[row.message_id].append(row)
    return result


def announce(conn: Connection, message_id: str, with_recipients: bool) -> None:
    """Record the message in the change log for the sites allowed to see it."""
    sites = sender_sites(conn, get(conn, message_id))
    if with_recipients:
        sites |= recipient_sites(conn, message_id)
    changes.record(conn, "message", message_id, sites)


def decide(conn: Connection, message_id: str, approve: bool, reason: str | None) -> None:
    """Moderation: approve a pending message, or reject it with a reason."""
    message = get(conn, message_id)
    # "still pending" is part of the update: on PostgreSQL two moderators' transactions
    # may both have read it pending; the second update then finds nothing to change.
    done = conn.execute(update(messages).where(messages.c.id == message_id)
                        .where(messages.c.status == "pending").values(
        status="approved" if approve else "rejected", decided_at=utcnow(),
        rejection_reason=None if approve else reason)).rowcount
    if not done:
        status = get(conn, message_id).status
        raise Refused("not_pending", f"message {message_id} is already {status}")
    announce(conn, message_id, with_recipients=approve)
    changes.record(conn, "moderation", message_id, sender_sites(conn, message))


def record_times(conn: Connection, message_id: str, employee_id: int,
                 times: dict[str, datetime | None],
                 sender_site_ids: set[int] | None = None) -> None:
    """Set delivered/read/acked times; the earliest reported time of each wins.

    ``sender_site_ids`` (see ``sender_sites``) saves reading them back when known.
    """
    key = ((message_recipients.c.message_id == message_id)
           & (message_recipients.c.employee_id == employee_id))
    row = conn.execute(select(message_recipients).where(key)).first()
    if row is None:
        raise Refused(errors.NOT_A_RECIPIENT,
                      f"employee {employee_id} is not a recipient of message {message_id}",
                      message_id=message_id, employee_id=employee_id)
    new = {name: when for name, when in times.items()
           if when is not None and (getattr(row, name) is None or when < getattr(row, name))}
    if not new:
        return
    conn.execute(update(message_recipients).where(key).values(**new))
    if sender_site_ids is None:
        sender_site_ids = sender_sites(conn, get(conn, message_id))
    changes.record(conn, "message_status", f"{message_id}:{employee_id}",
                   sender_site_ids | {row.site_id})


def list_messages(conn: Connection, status: str | None = None, sender_id: int | None = None,
                  limit: int = 200) -> list[Row[Any]]:
    query = select(messages).order_by(messages.c.created_at.desc()).limit(limit)
    if status is not None:
        query = query.where(messages.c.status == status)
    if sender_id is not None:
        query = query.where(messages.c.sender_id == sender_id)
    return list(conn.execute(query))
