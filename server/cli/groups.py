"""`groups` and `contacts` commands (who may write to whom)."""

from __future__ import annotations

import argparse
from typing import Any

from server.actions import contacts
from server.cli.common import Result, add_command, id_list, row_dict
from server.db import Database
from server.repo import groups
from server.repo.audit import CLI


def _create(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        return {"id": contacts.create_group(conn, CLI, a.name, a.moderated)}


def _list(db: Database, _a: argparse.Namespace) -> Result:
    with db.read() as conn:
        rows = groups.list_groups(conn)
        members = groups.members(conn, [r.id for r in rows])
        return [{**row_dict(r),
                 "members": [m.employee_id for m in members[r.id]],
                 "posters": [m.employee_id for m in members[r.id] if m.can_post]}
                for r in rows]


def _add_member(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        contacts.set_member(conn, CLI, a.group, a.employee, a.can_post)
    return {"group": a.group, "employee": a.employee, "can_post": a.can_post}


def _remove_member(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        contacts.remove_member(conn, CLI, a.group, a.employee)
    return {"group": a.group, "employee": a.employee, "removed": True}


def _moderate(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        contacts.set_group_moderated(conn, CLI, a.group, a.moderated)
    return {"group": a.group, "moderated": a.moderated}


def _contacts_set(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        contacts.set_contacts(conn, CLI, a.employee, a.employees, a.groups)
        emps, grps = groups.contacts(conn, a.employee)
    return {"employee": a.employee, "employees": emps, "groups": grps}


def _contacts_show(db: Database, a: argparse.Namespace) -> Result:
    with db.read() as conn:
        emps, grps = groups.contacts(conn, a.employee)
    return {"employee": a.employee, "employees": emps, "groups": grps}


def register(sub: Any) -> None:
    grp = sub.add_parser("groups", help="groups of employees").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(grp, "create", "create a group", _create)
    p.add_argument("--name", required=True)
    p.add_argument("--moderated", action="store_true",
                   help="HR must approve messages posted to this group")
    add_command(grp, "list", "list groups with members and posters", _list)
    p = add_command(grp, "add-member", "add a member (or change --can-post)", _add_member)
    p.add_argument("group", type=int)
    p.add_argument("employee", type=int)
    p.add_argument("--can-post", action="store_true", help="the member may post to the group")
    p = add_command(grp, "remove-member", "remove a member", _remove_member)
    p.add_argument("group", type=int)
    p.add_argument("employee", type=int)
    p = add_command(grp, "moderate", "turn moderation of a group on or off", _moderate)
    p.add_argument("group", type=int)
    p.add_argument("--off", dest="moderated", action="store_false",
                   help="stop moderating (default: start)")

    con = sub.add_parser("contacts", help="contact lists set by HR").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = add_command(con, "set", "replace an employee's contact list", _contacts_set)
    p.add_argument("employee", type=int)
    p.add_argument("--employees", type=id_list, default=[], help="ids, comma-separated")
    p.add_argument("--groups", type=id_list, default=[], help="ids, comma-separated")
    p = add_command(con, "show", "show an employee's contact list", _contacts_show)
    p.add_argument("employee", type=int)
