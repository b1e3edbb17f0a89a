"""The directory cache: employees, their badges, groups and contact lists."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from kiosk.domain.badge_keys import locked_badge_owner
from kiosk.domain.models import Contact, Employee


@dataclass(frozen=True)
class BadgeOwner:
    employee: Employee
    badge_active: bool


def _employee(row: sqlite3.Row | tuple) -> Employee:
    return Employee(
        id=row[0], first_name=row[1], last_name=row[2], language=row[3], role=row[4],
        active=bool(row[5]),
    )


_EMPLOYEE_COLUMNS = "e.id, e.first_name, e.last_name, e.language, e.role, e.active"


class Directory:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def badge_owner(self, badge: str, *, locked: bool = False) -> BadgeOwner | None:
        """Who holds this canonical badge id, if anyone (one indexed lookup). ``locked``:
        the message cache has no key; the holder comes from the hashed badges, nameless."""
        if locked:
            found = locked_badge_owner(self._db.conn, badge)
            if found is None:
                return None
            employee_id, badge_active, active, language, role = found
            return BadgeOwner(Employee(employee_id, "", "", language, role, bool(active)),
                              bool(badge_active))
        row = self._db.execute(
            f"SELECT {_EMPLOYEE_COLUMNS}, b.active FROM badges b "
            "JOIN employees e ON e.id = b.employee_id WHERE b.badge = ?",
            (badge,),
        ).fetchone()
        if row is None:
            return None
        return BadgeOwner(_employee(row), bool(row[6]))

    def employee(self, employee_id: int) -> Employee | None:
        row = self._db.execute(
            f"SELECT {_EMPLOYEE_COLUMNS} FROM employees e WHERE e.id = ?", (employee_id,)
        ).fetchone()
        return _employee(row) if row else None

    def employees(self) -> list[Employee]:
        rows = self._db.execute(
            f"SELECT {_EMPLOYEE_COLUMNS} FROM employees e ORDER BY e.last_name, e.first_name"
        ).fetchall()
        return [_employee(r) for r in rows]

    def contacts_of(self, employee_id: int) -> list[Contact]:
        """Whom the worker may write to: active employees of their contact list and the
        groups of it they may post to (as the server checks it); HR may write to anyone."""
        worker = self.employee(employee_id)
        if worker is None or not worker.active:
            return []
        if worker.role == "hr":
            people = self._db.execute(
                "SELECT id, first_name || ' ' || last_name FROM employees "
                "WHERE active = 1 AND id != ?", (employee_id,)).fetchall()
            groups = self._db.execute("SELECT id, name FROM groups").fetchall()
        else:
            people = self._db.execute(
                "SELECT e.id, e.first_name || ' ' || e.last_name FROM contacts c "
                "JOIN employees e ON e.id = c.contact_id "
                "WHERE c.employee_id = ? AND c.contact_kind = 'employee' AND e.active = 1 "
                "AND e.id != c.employee_id", (employee_id,)).fetchall()
            groups = self._db.execute(
                "SELECT g.id, g.name FROM contacts c JOIN groups g ON g.id = c.contact_id "
                "JOIN group_members m ON m.group_id = g.id AND m.employee_id = c.employee_id "
                "WHERE c.employee_id = ? AND c.contact_kind = 'group' AND m.can_post = 1",
                (employee_id,)).fetchall()
        found = [Contact("employee", r[0], r[1].strip()) for r in people]
        found += [Contact("group", r[0], r[1]) for r in groups]
        return sorted(found, key=lambda c: (c.name.casefold(), c.kind, c.id))

    # Writes: called inside a transaction by whoever brings directory data
    # (the demo seed now, the sync pull later).

    @staticmethod
    def put_employee(conn: sqlite3.Connection, employee: Employee) -> None:
        conn.execute(
            "INSERT INTO employees (id, first_name, last_name, language, role, active) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "first_name = excluded.first_name, last_name = excluded.last_name, "
            "language = excluded.language, role = excluded.role, active = excluded.active",
            (employee.id, employee.first_name, employee.last_name, employee.language,
             employee.role, int(employee.active)),
        )

    @staticmethod
    def put_badge(
        conn: sqlite3.Connection, badge: str, employee_id: int, active: bool = True
    ) -> None:
        conn.execute(
            "INSERT INTO badges (badge, employee_id, active) VALUES (?, ?, ?) "
            "ON CONFLICT(badge) DO UPDATE SET employee_id = excluded.employee_id, "
            "active = excluded.active",
            (badge, employee_id, int(active)),
        )

    @staticmethod
    def put_group(
        conn: sqlite3.Connection, group_id: int, name: str, members: Iterable[tuple[int, bool]]
    ) -> None:
        """A group and its members as (employee_id, can_post) pairs, replacing the old list."""
        conn.execute(
            "INSERT INTO groups (id, name) VALUES (?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name",
            (group_id, name),
        )
        conn.execute("DELETE FROM group_members WHERE group_id = ?", (group_id,))
        conn.executemany(
            "INSERT INTO group_members (group_id, employee_id, can_post) VALUES (?, ?, ?)",
            [(group_id, emp, int(can_post)) for emp, can_post in members],
        )

    @staticmethod
    def put_contacts(
        conn: sqlite3.Connection, employee_id: int, employees: Iterable[int], groups: Iterable[int]
    ) -> None:
        """Replace a worker's contact list (who and which groups HR lets them write to)."""
        conn.execute("DELETE FROM contacts WHERE employee_id = ?", (employee_id,))
        conn.executemany(
            "INSERT INTO contacts (employee_id, contact_kind, contact_id) VALUES (?, ?, ?)",
            [(employee_id, "employee", c) for c in employees]
            + [(employee_id, "group", g) for g in groups],
        )
