"""Build a pull response: change-log rows after a cursor, as current entity state."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from contract import error_codes as errors
from server.db.schema import (
    badges,
    employee_sites,
    employees,
    message_recipients,
    messages,
    sites,
    staff_groups,
)
from server.db.schema import (
    changes as changes_table,
)
from server.db.types import utcnow
from server.protocol.common import MAX_INT64
from server.repo import Refused, attachments, changes, groups
from server.repo import messages as message_repo
from server.repo import site_settings as site_settings_repo

PAGE_SIZE = 500


def encode_cursor(epoch: str, change_id: int) -> str:
    return base64.urlsafe_b64encode(f"1:{epoch}:{change_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """(epoch, change id); Refused(invalid_cursor) when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, epoch, change_id = raw.split(":")
        if version != "1" or not 0 <= int(change_id) <= MAX_INT64:
            raise ValueError(version)
        return epoch, int(change_id)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise Refused(errors.INVALID_CURSOR, "this cursor was not made by this server; "
                      "pull without a cursor to start over") from None


def _employees(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    rows = {str(r.id): r for r in conn.execute(
        select(employees).where(employees.c.id.in_([int(i) for i in ids])))}
    return [{"type": "employee", "id": r.id, "name": r.name, "role": r.role,
             "language": r.language, "active": r.active, "site_id": r.site_id,
             "moderated": r.moderated} if (r := rows.get(i)) else
            {"type": "delete", "entity": "employee", "id": int(i)} for i in ids]


def _working_here(conn: Connection, employee_ids: set[int], site_id: int) -> set[int]:
    """Those of the employees who work at ``site_id`` (home site or another of theirs)."""
    home = select(employees.c.id).where(employees.c.id.in_(employee_ids)).where(
        employees.c.site_id == site_id)
    visiting = select(employee_sites.c.employee_id).where(
        employee_sites.c.employee_id.in_(employee_ids)).where(employee_sites.c.site_id == site_id)
    return set(conn.execute(home.union(visiting)).scalars())


def _badges(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    query = select(badges).where(badges.c.id.in_([int(i) for i in ids]))
    rows = {str(r.id): r for r in conn.execute(query)}
    here = _working_here(conn, {r.employee_id for r in rows.values()}, site_id)
    return [{"type": "badge", "id": r.id, "employee_id": r.employee_id, "uid": r.uid,
             "active": r.active} if (r := rows.get(i)) and r.employee_id in here else
            {"type": "delete", "entity": "badge", "id": int(i)} for i in ids]


def _groups(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    int_ids = [int(i) for i in ids]
    rows = {str(r.id): r for r in conn.execute(
        select(staff_groups).where(staff_groups.c.id.in_(int_ids)))}
    members = groups.members(conn, int_ids)
    return [{"type": "group", "id": r.id, "name": r.name, "moderated": r.moderated,
             "members": [{"employee_id": m.employee_id, "can_post": m.can_post}
                         for m in members[r.id]]} if (r := rows.get(i)) else
            {"type": "delete", "entity": "group", "id": int(i)} for i in ids]


def _contact_lists(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    here = _working_here(conn, {int(i) for i in ids}, site_id)
    out: list[dict[str, Any]] = []
    for owner_id in map(int, ids):
        if owner_id not in here:
            out.append({"type": "delete", "entity": "contact_list", "id": owner_id})
            continue
        emps, grps = groups.contacts(conn, owner_id)
        out.append({"type": "contact_list", "employee_id": owner_id, "employees": emps,
                    "groups": grps})
    return out


def _site_settings(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    row = conn.execute(select(sites).where(sites.c.id == site_id)).one()
    return [{"type": "site_settings", "site_id": row.id, "name": row.name,
             "timezone": row.timezone, "language": row.language,
             **site_settings_repo.wire(conn, site_id)}]


def _messages(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    rows = list(conn.execute(select(messages).where(messages.c.id.in_(ids))))
    recipients = message_repo.recipients(conn, [r.id for r in rows])
    files = attachments.infos(conn, {r.attachment_sha256 for r in rows if r.attachment_sha256})
    now = utcnow()
    found = {r.id for r in rows}
    # A message that is gone (pruned once expired, see services.expiry) is forgotten too.
    out = [{"type": "delete", "entity": "message", "id": i} for i in ids if i not in found]
    senders = message_repo.sender_sites_of(conn, rows)
    order = {message_id: n for n, message_id in enumerate(ids)}
    for r in sorted(rows, key=lambda row: order[row.id]):
        if r.expires_at is not None and r.expires_at <= now:
            out.append({"type": "delete", "entity": "message", "id": r.id})
            continue
        own_site = site_id in senders[r.id]
        if not own_site and r.status != "approved":
            continue
        file = files.get(r.attachment_sha256)
        out.append({
            "type": "message", "id": r.id, "thread_id": r.thread_id, "reply_to": r.reply_to,
            "sender_id": r.sender_id, "kind": r.kind, "body": r.body,
            "attachment": file._asdict() if file else None,
            "drawing": json.loads(r.drawing) if r.drawing else None,
            "to_employees": json.loads(r.to_employees), "to_groups": json.loads(r.to_groups),
            "recipients": [x.employee_id for x in recipients[r.id]],
            "ack_required": r.ack_required, "reply_allowed": r.reply_allowed,
            "expires_at": r.expires_at,
            "written_at": r.written_at, "created_at": r.created_at, "status": r.status,
            "rejection_reason": r.rejection_reason if own_site else None,
        })
    return out


def _statuses(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    out = []
    for key in ids:
        message_id, employee_id = key.rsplit(":", 1)
        row = conn.execute(select(message_recipients).where(
            (message_recipients.c.message_id == message_id)
            & (message_recipients.c.employee_id == int(employee_id)))).first()
        if row is None:  # its message was pruned: the message's delete says it all
            continue
        out.append({"type": "message_status", "message_id": message_id,
                    "employee_id": row.employee_id, "delivered_at": row.delivered_at,
                    "read_at": row.read_at, "acked_at": row.acked_at})
    return out


def _moderations(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(messages).where(messages.c.id.in_(ids)))
    return [{"type": "moderation", "message_id": r.id, "status": r.status,
             "reason": r.rejection_reason, "decided_at": r.decided_at} for r in rows]


def _terminals(conn: Connection, ids: list[str], site_id: int) -> list[dict[str, Any]]:
    # A revocation's change only wakes the site's long-polls (routers.pull checks the
    # terminal again); terminals learn nothing of each other.
    return []


Loader = Callable[[Connection, list[str], int], list[dict[str, Any]]]
LOADERS: dict[str, Loader] = {
    "site_settings": _site_settings, "employee": _employees, "badge": _badges,
    "group": _groups, "contact_list": _contact_lists, "message": _messages,
    "message_status": _statuses, "moderation": _moderations, "terminal": _terminals,
}


def materialize(conn: Connection, rows: list[Any], site_id: int,
                after: int | None = None) -> list[dict[str, Any]]:
    """Current state of each changed entity, once, grouped by kind in log order."""
    by_entity: dict[str, list[str]] = {}
    for row in rows:
        ids = by_entity.setdefault(row.entity, [])
        if row.entity_id not in ids:
            ids.append(row.entity_id)
    out: list[dict[str, Any]] = []
    for entity, ids in by_entity.items():
        out.extend(LOADERS[entity](conn, ids, site_id))
    return _employees_first(conn, out, site_id, after)


def _undelivered_employees(conn: Connection, ids: set[int], site_id: int,
                           after: int) -> set[int]:
    """Those of ``ids`` with a change row for ``site_id`` placed after ``after`` (a cursor
    is a place, ``seq``, not an id): a terminal at that cursor may not have them yet."""
    log = changes_table
    found: set[int] = set()
    wanted = sorted(str(i) for i in ids)
    for start in range(0, len(wanted), PAGE_SIZE):
        query = (select(log.c.entity_id).distinct()
                 .where(log.c.entity == "employee", log.c.seq > after)
                 .where(log.c.entity_id.in_(wanted[start:start + PAGE_SIZE]))
                 .where(or_(log.c.site_id == site_id, log.c.site_id.is_(None))))
        found.update(int(i) for i in conn.execute(query).scalars())
    return found


def _employees_first(conn: Connection, out: list[dict[str, Any]], site_id: int,
                     after: int | None) -> list[dict[str, Any]]:
    """The page with its employees first, and every employee that a badge, contact list
    or group of the page names and the page does not carry: a terminal's badges, contact
    lists and group members point at its employees (foreign keys).

    Without compaction an employee's first row (its creation) comes before any badge of
    it; compaction (services.compaction) keeps only the newest row of each entity, which
    may come after: a new terminal's first sync then had badges it could not store
    (2,000 of 2,000 in bench/first_sync.py). Each change is current state, so the
    order within a page is free; an employee sent twice is stored once.

    An employee the page does not carry is added when the terminal may not have it:
    its newest row for the site is after the terminal's cursor (``after``), so it was
    not delivered yet. One whose newest row the terminal passed is there already: an
    ordinary pull (a badge disabled) carries no extra employee."""
    sent = {c["id"] for c in out if c["type"] == "employee"}
    named: set[int] = set()
    for change in out:
        if change["type"] in ("badge", "contact_list"):
            named.add(change["employee_id"])
        elif change["type"] == "group":
            named.update(member["employee_id"] for member in change["members"])
    missing = sorted(_undelivered_employees(conn, named - sent, site_id, after)
                     if after is not None and named - sent else [])
    extra = [c for c in _employees(conn, [str(i) for i in missing], site_id)
             if c["type"] == "employee"] if missing else []
    if not extra and all(c["type"] == "employee" for c in out[:len(sent)]):
        return out  # already in order: the common case of a page
    return ([c for c in out if c["type"] == "employee"] + extra
            + [c for c in out if c["type"] != "employee"])


def pull(conn: Connection, site_id: int, cursor: str | None,
         page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """Changes for ``site_id`` after ``cursor`` (None: everything, reset=True)."""
    epoch = changes.epoch(conn)
    newest = changes.latest_id(conn)
    after, reset = 0, True
    if cursor:
        cursor_epoch, after = decode_cursor(cursor)
        reset = cursor_epoch != epoch or after > newest
        after = 0 if reset else after
    rows = changes.for_site(conn, site_id, after, page_size + 1)
    more = len(rows) > page_size
    rows = rows[:page_size]
    # The last place read, never ``newest``: another site's row may be placed above a
    # row of this site that is not committed yet (docs/sync-protocol.md).
    last = rows[-1].seq if rows else after
    return {"cursor": encode_cursor(epoch, last),
            "changes": materialize(conn, rows, site_id, after),
            "more": more, "reset": reset, "server_time": utcnow()}
