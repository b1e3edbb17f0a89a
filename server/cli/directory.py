"""`sites`, `employees` and `badges` commands."""

from __future__ import annotations

import argparse
from typing import Any

from server.actions import people
from server.cli import employee_import
from server.cli.common import Result, add_command, id_list, row_dict
from server.db import Database
from server.repo import directory
from server.repo.audit import CLI


def _site_create(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        return {"id": directory.create_site(conn, a.name, a.timezone, a.language)}


def _site_list(db: Database, _a: argparse.Namespace) -> Result:
    with db.read() as conn:
        return [row_dict(r) for r in directory.list_sites(conn)]


def _employee_create(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        return {"id": people.create_employee(conn, CLI, a.name, a.site, a.role, a.language,
                                             a.moderated)}


def _employee_list(db: Database, a: argparse.Namespace) -> Result:
    with db.read() as conn:
        return [row_dict(r) for r in directory.list_employees(conn, a.site)]


def _employee_update(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        people.update_employee(conn, CLI, a.employee, name=a.name, role=a.role,
                               language=a.language, site_id=a.site, moderated=a.moderated)
        if a.also_sites is not None:
            people.set_other_sites(conn, CLI, a.employee, a.also_sites)
        shown = row_dict(directory.get_employee(conn, a.employee))
        shown["also_sites"] = sorted(directory.other_sites(conn, a.employee))
        return shown


def _employee_active(active: bool) -> Any:
    def handler(db: Database, a: argparse.Namespace) -> Result:
        with db.write() as conn:
            people.update_employee(conn, CLI, a.employee, active=active)
            return row_dict(directory.get_employee(conn, a.employee))
    return handler


def _badge_add(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        return {"id": people.add_badge(conn, CLI, a.employee, a.uid)}


def _badge_active(active: bool) -> Any:
    def handler(db: Database, a: argparse.Namespace) -> Result:
        with db.write() as conn:
            return {"id": people.set_badge_active(conn, CLI, a.uid, active), "active": active}
    return handler


def _badge_list(db: Database, a: argparse.Namespace) -> Result:
    with db.read() as conn:
        return [row_dict(r) for r in directory.list_badges(conn, a.employee)]


def register(sub: Any) -> None:
    sites = sub.add_parser("sites", help="factories / plants").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(sites, "create", "create a site", _site_create)
    p.add_argument("--name", required=True)
    p.add_argument("--timezone", default="UTC", help="IANA zone, e.g. Europe/Paris")
    p.add_argument("--language", default="en", help="default UI language, e.g. fr")
    add_command(sites, "list", "list sites", _site_list)

    emps = sub.add_parser("employees", help="workers, managers, HR").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    employee_import.register(emps)
    p = add_command(emps, "create", "create an employee", _employee_create)
    p.add_argument("--name", required=True)
    p.add_argument("--site", type=int, required=True, help="home site id")
    p.add_argument("--role", choices=directory.ROLES, default="worker")
    p.add_argument("--language", default="en")
    p.add_argument("--moderated", action="store_true",
                   help="HR must approve this employee's messages")
    p = add_command(emps, "list", "list employees", _employee_list)
    p.add_argument("--site", type=int, help="only this site")
    p = add_command(emps, "update", "change an employee", _employee_update)
    p.add_argument("employee", type=int)
    p.add_argument("--name")
    p.add_argument("--role", choices=directory.ROLES)
    p.add_argument("--language")
    p.add_argument("--site", type=int, help="move to this home site")
    p.add_argument("--also-sites", type=id_list, metavar="IDS",
                   help="the other sites this employee works at, e.g. 2,5 (replaces the "
                        "list; '' for none): their terminals get the employee's badges")
    p.add_argument("--moderated", action=argparse.BooleanOptionalAction, default=None,
                   help="HR must (or no longer must) approve this employee's messages")
    for name, active in (("disable", False), ("enable", True)):
        p = add_command(emps, name, f"{name} an employee (terminals refuse disabled ones)",
                        _employee_active(active))
        p.add_argument("employee", type=int)

    badges = sub.add_parser("badges", help="badges (several per employee)").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(badges, "add", "give an employee a badge", _badge_add)
    p.add_argument("--employee", type=int, required=True)
    p.add_argument("--uid", required=True, help="badge id as the reader reports it")
    for name, active in (("disable", False), ("enable", True)):
        p = add_command(badges, name, f"{name} a badge (disable a lost one)",
                        _badge_active(active))
        p.add_argument("uid", help="badge id as the reader reports it")
    p = add_command(badges, "list", "list badges", _badge_list)
    p.add_argument("--employee", type=int, help="only this employee's badges")
