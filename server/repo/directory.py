"""Sites, employees and badges.

An employee has a home site (``employees.site_id``) and may work at other sites too
(``employee_sites``, set with ``set_other_sites``). A terminal acts only for the
employees who work at its site, and those are the employees whose badges and
contact lists its site's terminals receive. Every terminal gets every employee's
name and role (to show who wrote a message).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from contract import error_codes as errors
from server.db.schema import badges, employee_sites, employees, sites
from server.db.types import fold, utcnow
from server.repo import NotFound, Refused, changes

ROLES = ("worker", "manager", "hr")


def create_site(conn: Connection, name: str, timezone: str = "UTC",
                language: str = "en") -> int:
    try:
        with conn.begin_nested():
            site_id = conn.execute(insert(sites).values(
                name=name, timezone=timezone, language=language, created_at=utcnow(),
            )).inserted_primary_key[0]
    except IntegrityError:
        raise Refused("duplicate_name", f"a site named {name!r} already exists") from None
    changes.record(conn, "site_settings", site_id, [site_id])
    return site_id


def get_site(conn: Connection, site_id: int) -> Row[Any]:
    row = conn.execute(select(sites).where(sites.c.id == site_id)).first()
    if row is None:
        raise NotFound("unknown_site", f"no site with id {site_id}", site_id=site_id)
    return row


def list_sites(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(sites).order_by(sites.c.id)))


def create_employee(conn: Connection, name: str, site_id: int, role: str = "worker",
                    language: str = "en", moderated: bool = False) -> int:
    if role not in ROLES:
        raise Refused("invalid_role", f"role must be one of {', '.join(ROLES)}")
    get_site(conn, site_id)
    employee_id = conn.execute(insert(employees).values(
        name=name, search_name=fold(name), site_id=site_id, role=role, language=language,
        active=True,
        moderated=moderated, created_at=utcnow(),
    )).inserted_primary_key[0]
    changes.record(conn, "employee", employee_id)
    return employee_id


def get_employee(conn: Connection, employee_id: int) -> Row[Any]:
    row = conn.execute(select(employees).where(employees.c.id == employee_id)).first()
    if row is None:
        raise NotFound(errors.UNKNOWN_EMPLOYEE, f"no employee with id {employee_id}",
                       employee_id=employee_id)
    return row


def require_active_employee(conn: Connection, employee_id: int) -> Row[Any]:
    """The employee, or Refused: unknown_employee / employee_inactive."""
    row = get_employee(conn, employee_id)
    if not row.active:
        raise Refused(errors.EMPLOYEE_INACTIVE, f"employee {employee_id} is disabled",
                      employee_id=employee_id)
    return row


def update_employee(conn: Connection, employee_id: int, **fields: Any) -> None:
    """Change name, role, language, active, moderated or site_id."""
    allowed = {"name", "role", "language", "active", "moderated", "site_id"}
    fields = {k: v for k, v in fields.items() if v is not None}
    if unknown := set(fields) - allowed:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if fields.get("role", "worker") not in ROLES:
        raise Refused("invalid_role", f"role must be one of {', '.join(ROLES)}")
    before = get_employee(conn, employee_id)
    if not fields:
        return
    if "site_id" in fields:
        get_site(conn, fields["site_id"])
    folded = {"search_name": fold(fields["name"])} if "name" in fields else {}
    conn.execute(update(employees).where(employees.c.id == employee_id)
                 .values(**fields, **folded))
    changes.record(conn, "employee", employee_id)
    if fields.get("site_id", before.site_id) != before.site_id:
        _site_moved(conn, employee_id, {before.site_id, fields["site_id"]})


def _site_moved(conn: Connection, employee_id: int, sites_concerned: set[int]) -> None:
    """The employee's badges and contact list change sites: tell every site concerned
    (pull sends each what it may now hold, or a delete)."""
    for badge_id in conn.execute(
            select(badges.c.id).where(badges.c.employee_id == employee_id)).scalars():
        changes.record(conn, "badge", badge_id, sites_concerned)
    changes.record(conn, "contact_list", employee_id, sites_concerned)


def other_sites(conn: Connection, employee_id: int) -> set[int]:
    """The sites the employee works at besides their home site."""
    query = select(employee_sites.c.site_id).where(employee_sites.c.employee_id == employee_id)
    return set(conn.execute(query).scalars())


def sites_of(conn: Connection, employee_id: int) -> set[int]:
    """Every site the employee works at: home site first of all."""
    return {get_employee(conn, employee_id).site_id} | other_sites(conn, employee_id)


def set_other_sites(conn: Connection, employee_id: int, site_ids: list[int]) -> None:
    """Replace the list of sites the employee works at besides their home site."""
    employee = get_employee(conn, employee_id)
    for site_id in site_ids:
        get_site(conn, site_id)
    before = other_sites(conn, employee_id)
    after = set(site_ids) - {employee.site_id}
    if after == before:
        return
    conn.execute(delete(employee_sites).where(employee_sites.c.employee_id == employee_id))
    if after:
        conn.execute(insert(employee_sites), [
            {"employee_id": employee_id, "site_id": site} for site in sorted(after)])
    _site_moved(conn, employee_id, before ^ after)


def list_employees(conn: Connection, site_id: int | None = None) -> list[Row[Any]]:
    query = select(employees).order_by(employees.c.id)
    if site_id is not None:
        query = query.where(employees.c.site_id == site_id)
    return list(conn.execute(query))


def normalize_uid(uid: str) -> str:
    """Canonical badge id: trimmed, upper case (hex ids compare equal)."""
    return uid.strip().upper()


def add_badge(conn: Connection, employee_id: int, uid: str) -> int:
    employee = get_employee(conn, employee_id)
    uid = normalize_uid(uid)
    if not uid or len(uid) > 64:
        raise Refused("invalid_badge", "a badge id has 1 to 64 characters")
    try:
        with conn.begin_nested():
            badge_id = conn.execute(insert(badges).values(
                uid=uid, employee_id=employee_id, active=True, created_at=utcnow(),
            )).inserted_primary_key[0]
    except IntegrityError:
        raise Refused("duplicate_badge", "this badge is already registered") from None
    changes.record(conn, "badge", badge_id, sites_of(conn, employee.id))
    return badge_id


def set_badge_active(conn: Connection, uid: str, active: bool) -> int:
    """Enable or disable (lost badge) a badge by its id; returns the badge row id."""
    row = conn.execute(select(badges).where(badges.c.uid == normalize_uid(uid))).first()
    if row is None:
        raise NotFound("unknown_badge", "no such badge")
    conn.execute(update(badges).where(badges.c.id == row.id).values(
        active=active, disabled_at=None if active else utcnow()))
    changes.record(conn, "badge", row.id, sites_of(conn, row.employee_id))
    return row.id


def list_badges(conn: Connection, employee_id: int | None = None) -> list[Row[Any]]:
    query = select(badges).order_by(badges.c.id)
    if employee_id is not None:
        query = query.where(badges.c.employee_id == employee_id)
    return list(conn.execute(query))
