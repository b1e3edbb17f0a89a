"""Contact lists and groups, with their audit entries."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from server.repo import groups
from server.repo.audit import Actor, record
from server.repo.directory import get_employee


def _list_state(conn: Connection, owner_id: int) -> dict[str, list[int]]:
    employees, group_ids = groups.contacts(conn, owner_id)
    return {"employees": employees, "groups": group_ids}


def set_contacts(conn: Connection, actor: Actor, owner_id: int, employee_ids: list[int],
                 group_ids: list[int]) -> bool:
    """Replace the list; True if it changed (and was recorded)."""
    before = _list_state(conn, owner_id)
    groups.set_contacts(conn, owner_id, employee_ids, group_ids)
    after = _list_state(conn, owner_id)
    if before == after:
        return False
    record(conn, actor, "contacts.set", "contact_list", owner_id, before, after,
           get_employee(conn, owner_id).site_id)
    return True


def change_contacts(conn: Connection, actor: Actor, owner_id: int, *,
                    add_employees: Iterable[int] = (), add_groups: Iterable[int] = (),
                    remove_employees: Iterable[int] = (),
                    remove_groups: Iterable[int] = ()) -> bool:
    """Add and remove names on one list, leaving the rest as it is."""
    employees, group_ids = groups.contacts(conn, owner_id)
    new_employees = (set(employees) | set(add_employees)) - set(remove_employees) - {owner_id}
    new_groups = (set(group_ids) | set(add_groups)) - set(remove_groups)
    if new_employees == set(employees) and new_groups == set(group_ids):
        get_employee(conn, owner_id)
        return False
    return set_contacts(conn, actor, owner_id, sorted(new_employees), sorted(new_groups))


def would_change(conn: Connection, owner_ids: Iterable[int], add_employees: set[int],
                 add_groups: set[int]) -> list[int]:
    """Those owners whose list misses something of these (a bulk change's preview)."""
    changed = []
    for owner_id in owner_ids:
        employees, group_ids = groups.contacts(conn, owner_id)
        if (add_employees - {owner_id}) - set(employees) or add_groups - set(group_ids):
            changed.append(owner_id)
    return changed


def create_group(conn: Connection, actor: Actor, name: str, moderated: bool = False) -> int:
    group_id = groups.create_group(conn, name, moderated)
    record(conn, actor, "group.create", "group", group_id, {},
           {"name": name, "moderated": moderated})
    return group_id


def set_group_moderated(conn: Connection, actor: Actor, group_id: int,
                        moderated: bool) -> None:
    before = groups.get_group(conn, group_id).moderated
    groups.set_group_moderated(conn, group_id, moderated)
    if before != moderated:
        record(conn, actor, "group.moderated", "group", group_id,
               {"moderated": before}, {"moderated": moderated})


def _member(conn: Connection, group_id: int, employee_id: int) -> dict[str, bool]:
    for row in groups.members(conn, [group_id])[group_id]:
        if row.employee_id == employee_id:
            return {"member": True, "can_post": row.can_post}
    return {"member": False, "can_post": False}


def set_member(conn: Connection, actor: Actor, group_id: int, employee_id: int,
               can_post: bool) -> None:
    before = _member(conn, group_id, employee_id)
    groups.set_member(conn, group_id, employee_id, can_post)
    after = _member(conn, group_id, employee_id)
    if before != after:
        record(conn, actor, "group.member", "group", group_id,
               {"employee_id": employee_id, **before}, {"employee_id": employee_id, **after})


def remove_member(conn: Connection, actor: Actor, group_id: int, employee_id: int) -> None:
    before = _member(conn, group_id, employee_id)
    groups.remove_member(conn, group_id, employee_id)
    if before["member"]:
        record(conn, actor, "group.member", "group", group_id,
               {"employee_id": employee_id, **before},
               {"employee_id": employee_id, "member": False, "can_post": False})
