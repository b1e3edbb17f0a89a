"""Employees and badges, with their audit entries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from server.db.schema import badges
from server.repo import NotFound, Refused, changes, directory
from server.repo.audit import Actor, record

EMPLOYEE_FIELDS = ("name", "role", "language", "active", "moderated", "site_id")
MAX_NAME = 120


def _employee_state(conn: Connection, employee_id: int) -> dict[str, Any]:
    row = directory.get_employee(conn, employee_id)
    return {name: getattr(row, name) for name in EMPLOYEE_FIELDS}


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise Refused("invalid_name", f"a name has 1 to {MAX_NAME} characters")
    return name


def create_employee(conn: Connection, actor: Actor, name: str, site_id: int,
                    role: str = "worker", language: str = "en",
                    moderated: bool = False) -> int:
    employee_id = directory.create_employee(conn, check_name(name), site_id, role, language,
                                            moderated)
    record(conn, actor, "employee.create", "employee", employee_id, {},
           _employee_state(conn, employee_id), site_id)
    return employee_id


def update_employee(conn: Connection, actor: Actor, employee_id: int, **fields: Any) -> None:
    if fields.get("name") is not None:
        fields["name"] = check_name(fields["name"])
    before = _employee_state(conn, employee_id)
    directory.update_employee(conn, employee_id, **fields)
    after = _employee_state(conn, employee_id)
    if before != after:
        action = "employee.update"
        if before["active"] != after["active"]:
            action = "employee.enable" if after["active"] else "employee.disable"
        record(conn, actor, action, "employee", employee_id, before, after, after["site_id"])


def set_other_sites(conn: Connection, actor: Actor, employee_id: int,
                    site_ids: list[int]) -> None:
    before = sorted(directory.other_sites(conn, employee_id))
    directory.set_other_sites(conn, employee_id, site_ids)
    after = sorted(directory.other_sites(conn, employee_id))
    if before != after:
        record(conn, actor, "employee.sites", "employee", employee_id,
               {"also_sites": before}, {"also_sites": after},
               directory.get_employee(conn, employee_id).site_id)


def _badge(conn: Connection, uid: str) -> Any:
    row = conn.execute(select(badges).where(
        badges.c.uid == directory.normalize_uid(uid))).first()
    if row is None:
        raise NotFound("unknown_badge", "no such badge")
    return row


# Badge ids are credentials at a terminal: the audit log names the badge by its row id.
def add_badge(conn: Connection, actor: Actor, employee_id: int, uid: str) -> int:
    badge_id = directory.add_badge(conn, employee_id, uid)
    record(conn, actor, "badge.add", "badge", badge_id, {},
           {"employee_id": employee_id, "active": True},
           directory.get_employee(conn, employee_id).site_id)
    return badge_id


def set_badge_active(conn: Connection, actor: Actor, uid: str, active: bool) -> int:
    row = _badge(conn, uid)
    badge_id = directory.set_badge_active(conn, uid, active)
    if row.active != active:
        record(conn, actor, "badge.enable" if active else "badge.disable", "badge", badge_id,
               {"active": row.active}, {"active": active},
               directory.get_employee(conn, row.employee_id).site_id)
    return badge_id


def remove_badge(conn: Connection, actor: Actor, badge_id: int) -> None:
    """Delete a badge (typed wrongly, or handed back): terminals are told to forget it."""
    row = conn.execute(select(badges).where(badges.c.id == badge_id)).first()
    if row is None:
        raise NotFound("unknown_badge", "no such badge")
    sites = directory.sites_of(conn, row.employee_id)
    conn.execute(delete(badges).where(badges.c.id == badge_id))
    changes.record(conn, "badge", badge_id, sites)
    record(conn, actor, "badge.remove", "badge", badge_id,
           {"employee_id": row.employee_id, "active": row.active}, {},
           directory.get_employee(conn, row.employee_id).site_id)
