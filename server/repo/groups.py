"""Groups (members, who may post) and per-employee contact lists, set by HR."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from contract import error_codes as errors
from server.db.schema import (
    contact_employees,
    contact_groups,
    employees,
    group_members,
    staff_groups,
)
from server.db.types import utcnow
from server.repo import NotFound, Refused, changes
from server.repo.directory import get_employee, sites_of


def create_group(conn: Connection, name: str, moderated: bool = False) -> int:
    try:
        with conn.begin_nested():
            group_id = conn.execute(insert(staff_groups).values(
                name=name, moderated=moderated, created_at=utcnow())).inserted_primary_key[0]
    except IntegrityError:
        raise Refused("duplicate_name", f"a group named {name!r} already exists") from None
    changes.record(conn, "group", group_id)
    return group_id


def get_group(conn: Connection, group_id: int) -> Row[Any]:
    row = conn.execute(select(staff_groups).where(staff_groups.c.id == group_id)).first()
    if row is None:
        raise NotFound(errors.UNKNOWN_GROUP, f"no group with id {group_id}", group_id=group_id)
    return row


def set_group_moderated(conn: Connection, group_id: int, moderated: bool) -> None:
    get_group(conn, group_id)
    conn.execute(
        update(staff_groups).where(staff_groups.c.id == group_id).values(moderated=moderated))
    changes.record(conn, "group", group_id)


def set_member(conn: Connection, group_id: int, employee_id: int, can_post: bool) -> None:
    """Add an employee to a group, or change whether they may post to it."""
    get_group(conn, group_id)
    get_employee(conn, employee_id)
    key = (group_members.c.group_id == group_id) & (group_members.c.employee_id == employee_id)
    if conn.execute(select(group_members.c.group_id).where(key)).first():
        conn.execute(update(group_members).where(key).values(can_post=can_post))
    else:
        conn.execute(insert(group_members).values(
            group_id=group_id, employee_id=employee_id, can_post=can_post))
    changes.record(conn, "group", group_id)


def remove_member(conn: Connection, group_id: int, employee_id: int) -> None:
    get_group(conn, group_id)
    conn.execute(delete(group_members).where(
        (group_members.c.group_id == group_id) & (group_members.c.employee_id == employee_id)))
    changes.record(conn, "group", group_id)


def members(conn: Connection, group_ids: list[int]) -> dict[int, list[Row[Any]]]:
    """Members of each group, by group id."""
    result: dict[int, list[Row[Any]]] = {gid: [] for gid in group_ids}
    rows = conn.execute(select(group_members).where(group_members.c.group_id.in_(group_ids))
                        .order_by(group_members.c.employee_id))
    for row in rows:
        result[row.group_id].append(row)
    return result


def list_groups(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(staff_groups).order_by(staff_groups.c.id)))


def set_contacts(conn: Connection, owner_id: int, employee_ids: list[int],
                 group_ids: list[int]) -> None:
    """Replace the whole contact list of ``owner_id``."""
    owner = get_employee(conn, owner_id)
    for employee_id in employee_ids:
        get_employee(conn, employee_id)
    for group_id in group_ids:
        get_group(conn, group_id)
    conn.execute(delete(contact_employees).where(contact_employees.c.owner_id == owner_id))
    conn.execute(delete(contact_groups).where(contact_groups.c.owner_id == owner_id))
    if employee_ids:
        conn.execute(insert(contact_employees), [
            {"owner_id": owner_id, "contact_id": cid} for cid in sorted(set(employee_ids))])
    if group_ids:
        conn.execute(insert(contact_groups), [
            {"owner_id": owner_id, "group_id": gid} for gid in sorted(set(group_ids))])
    changes.record(conn, "contact_list", owner_id, sites_of(conn, owner.id))


def contacts(conn: Connection, owner_id: int) -> tuple[list[int], list[int]]:
    """(employee ids, group ids) that ``owner_id`` may write to."""
    emps = conn.execute(select(contact_employees.c.contact_id)
                        .where(contact_employees.c.owner_id == owner_id)
                        .order_by(contact_employees.c.contact_id)).scalars().all()
    grps = conn.execute(select(contact_groups.c.group_id)
                        .where(contact_groups.c.owner_id == owner_id)
                        .order_by(contact_groups.c.group_id)).scalars().all()
    return list(emps), list(grps)


def member_counts(conn: Connection, group_ids: set[int]) -> dict[int, int]:
    """Group id -> number of members (groups with none are left out)."""
    query = (select(group_members.c.group_id, func.count())
             .where(group_members.c.group_id.in_(sorted(group_ids)))
             .group_by(group_members.c.group_id))
    return {group_id: count for group_id, count in conn.execute(query)}


def member_details(conn: Connection, group_id: int) -> list[Row[Any]]:
    """Members with can_post, their site and whether they are active."""
    query = (select(group_members.c.employee_id, group_members.c.can_post,
                    employees.c.site_id, employees.c.active)
             .join(employees, employees.c.id == group_members.c.employee_id)
             .where(group_members.c.group_id == group_id))
    return list(conn.execute(query))
