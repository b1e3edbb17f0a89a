"""CSV import of employees and badges: a plan first (what will be created, changed,
disabled, and every faulty line with why), then the same plan applied in the caller's
one transaction, through the people actions (change log and audit log).

Columns (header line, any order): ``name`` and ``site`` (a site's name) required;
``badges`` (ids separated by spaces or ``;``), ``role`` (worker, manager, hr),
``language`` and ``active`` (yes/no) optional. A line names an existing employee when
one active or disabled employee of that home site has that name (ignoring case and
accents); otherwise it creates one. A file with any faulty line changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from contract.languages import LANGUAGES
from server.actions import people
from server.db.schema import badges
from server.db.types import fold
from server.repo import Refused, directory
from server.repo.audit import Actor

REQUIRED = ("name", "site")
KNOWN = (*REQUIRED, "badges", "role", "language", "active")
MAX_LINES = 20_000
YES, NO = {"yes", "y", "oui", "1", "true"}, {"no", "n", "non", "0", "false"}


@dataclass
class Step:
    line: int
    kind: str  # "create", "change", "disable", "unchanged"
    name: str
    site_id: int
    employee_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    new_badges: list[str] = field(default_factory=list)


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, why), line 0: file

    def count(self, kind: str) -> int:
        return sum(1 for s in self.steps if s.kind == kind)


class ImportRefused(Refused):
    """Faulty lines: nothing was changed. The message lists them (for the CLI)."""

    def __init__(self, plan: Plan) -> None:
        lines = "".join(f"\n  line {n}: {why}" for n, why in plan.errors)
        super().__init__("import_refused",
                         f"{len(plan.errors)} faulty line(s); nothing changed:{lines}")
        self.plan = plan


def _text(data: bytes, plan: Plan) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        plan.errors.append((0, f"the file is not UTF-8 (byte {exc.start}); save it as "
                               "CSV UTF-8"))
        return None


def plan_import(conn: Connection, data: bytes, allowed_sites: set[int] | None) -> Plan:
    """What the file would do; ``allowed_sites``: sites the caller manages (None: all).
    Messages are English, for the CLI; the console shows them as they are."""
    plan = Plan()
    text = _text(data, plan)
    if text is None:
        return plan
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if missing := [c for c in REQUIRED if c not in header]:
        plan.errors.append((1, f"missing column(s): {', '.join(missing)}; the first line "
                               f"names the columns ({', '.join(KNOWN)})"))
        return plan
    reader.fieldnames = header
    sites = {fold(row.name): row.id for row in directory.list_sites(conn)}
    by_name: dict[tuple[int, str | None], list[Any]] = {}
    for row in directory.list_employees(conn):
        by_name.setdefault((row.site_id, fold(row.name)), []).append(row)
    owners = {b.uid: b.employee_id for b in conn.execute(select(badges.c.uid,
                                                                badges.c.employee_id))}
    seen_badges: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if number > MAX_LINES + 1:
            plan.errors.append((number, f"more than {MAX_LINES} lines; split the file"))
            break
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        _line(plan, number, row, sites, by_name, owners, seen_badges, allowed_sites)
    return plan


def _line(plan: Plan, number: int, row: dict[str, str], sites: dict[str | None, int],
          by_name: dict[tuple[int, str | None], list[Any]], owners: dict[str, int],
          seen: dict[str, int], allowed: set[int] | None) -> None:
    def fail(why: str) -> None:
        plan.errors.append((number, why))

    name, site_id = row.get("name", ""), sites.get(fold(row.get("site", "")))
    if not name or len(name) > people.MAX_NAME:
        return fail(f"a name has 1 to {people.MAX_NAME} characters")
    if site_id is None or (allowed is not None and site_id not in allowed):
        return fail(f"unknown site {row.get('site', '')!r} (or not one you manage)")
    fields: dict[str, Any] = {}
    for key, allowed_values in (("role", directory.ROLES), ("language", LANGUAGES)):
        if row.get(key):
            if row[key] not in allowed_values:
                return fail(f"{key} {row[key]!r}: one of {', '.join(allowed_values)}")
            fields[key] = row[key]
    if row.get("active"):
        if row["active"].lower() not in YES | NO:
            return fail("active is yes or no")
        fields["active"] = row["active"].lower() in YES
    matches = by_name.get((site_id, fold(name)), [])
    if len(matches) > 1:
        return fail(f"{len(matches)} employees of this site have this name; change them "
                    "one by one in the console")
    existing = matches[0] if matches else None
    wanted = [directory.normalize_uid(b) for b in row.get("badges", "").replace(";", " ")
              .split()]
    new_badges = []
    for uid in wanted:
        if len(uid) > 64:
            return fail("a badge id has 1 to 64 characters")
        if uid in seen:
            return fail(f"badge also on line {seen[uid]} (a badge belongs to one person)")
        seen[uid] = number
        owner = owners.get(uid)
        if owner is not None and (existing is None or owner != existing.id):
            return fail("this badge already belongs to someone else")
        if owner is None:
            new_badges.append(uid)
    if existing is None:
        kind = "create" if fields.get("active", True) else "unchanged"
        plan.steps.append(Step(number, kind, name, site_id, None, fields, new_badges))
        return None
    changed = {k: v for k, v in fields.items() if getattr(existing, k) != v}
    kind = ("disable" if changed.get("active") is False else
            "change" if changed or new_badges else "unchanged")
    plan.steps.append(Step(number, kind, existing.name, site_id, existing.id, changed,
                           new_badges))
    return None


def apply_import(conn: Connection, actor: Actor, data: bytes,
                 allowed_sites: set[int] | None) -> Plan:
    """Plan again inside the caller's transaction, then apply every step; ImportRefused
    (nothing changed) when any line is faulty."""
    plan = plan_import(conn, data, allowed_sites)
    if plan.errors:
        raise ImportRefused(plan)
    for step in plan.steps:
        if step.kind == "unchanged":
            continue
        employee_id = step.employee_id
        if employee_id is None:
            employee_id = people.create_employee(
                conn, actor, step.name, step.site_id, step.fields.get("role", "worker"),
                step.fields.get("language") or directory.get_site(conn, step.site_id).language)
        elif step.fields:
            people.update_employee(conn, actor, employee_id, **step.fields)
        for uid in step.new_badges:
            people.add_badge(conn, actor, employee_id, uid)
    return plan
