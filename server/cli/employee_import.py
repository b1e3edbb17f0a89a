"""`employees import [--dry-run] FILE`: employees and badges from a CSV file (see
``server.actions.employee_import`` for the columns). A dry run prints what would be
created, changed and disabled; any faulty line is an error listing every one, and
nothing changes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from server.actions import employee_import
from server.cli.common import Result, add_command
from server.db import Database
from server.repo import directory
from server.repo.audit import CLI


def _rows(plan: employee_import.Plan, site_names: dict[int, str]) -> list[dict[str, Any]]:
    # Badge ids are credentials: only how many are added.
    return [{"line": s.line, "action": s.kind, "name": s.name, "site": site_names[s.site_id],
             "changes": ", ".join(f"{k}={v}" for k, v in s.fields.items()),
             "new_badges": len(s.new_badges)} for s in plan.steps]


def _import(db: Database, a: argparse.Namespace) -> Result:
    data = Path(a.file).read_bytes()
    with db.read() as conn:
        site_names = {row.id: row.name for row in directory.list_sites(conn)}
        if a.dry_run:
            plan = employee_import.plan_import(conn, data, None)
            if plan.errors:
                raise employee_import.ImportRefused(plan)
            return _rows(plan, site_names)
    with db.write() as conn:
        return _rows(employee_import.apply_import(conn, CLI, data, None), site_names)


def register(employees: Any) -> None:
    p = add_command(employees, "import", "create, change and disable employees and add "
                    "badges from a CSV file (columns: name, site, badges, role, language, "
                    "active); all or nothing", _import)
    p.add_argument("file", help="the CSV file (UTF-8)")
    p.add_argument("--dry-run", action="store_true",
                   help="show what would change, and every faulty line; change nothing")
    p.set_defaults(columns=("line", "action", "name", "site", "changes", "new_badges"))
