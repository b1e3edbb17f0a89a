"""Contact lists: one person's list (add and remove by name), who can write to whom, and
the same contacts given to every member of a group at once (with a preview)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from server.actions import contacts
from server.console import web
from server.console.auth.access import MANAGE_PEOPLE, READ, Principal
from server.console.deps import Sent, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.console.pages.person import employee_for
from server.repo import NotFound, console_reads, groups

router = APIRouter()
CANDIDATES = 12


def candidates(conn: Connection, find: str, exclude_people: set[int],
               exclude_groups: set[int]) -> dict[str, Any]:
    """People (any site: every terminal knows every name) and groups matching ``find``."""
    if len(find.strip()) < 1:
        return {"people": [], "groups": [], "find": find}
    rows, _total = console_reads.find_people(conn, find[:100], None, CANDIDATES + 5,
                                             active_only=True)
    found_groups = console_reads.find_groups(conn, find[:100])
    return {"people": [r for r in rows if r.id not in exclude_people][:CANDIDATES],
            "groups": [g for g in found_groups if g.id not in exclude_groups][:CANDIDATES],
            "find": find}


def _person_context(conn: Connection, who: Principal, employee_id: int,
                    find: str) -> dict[str, Any]:
    person = employee_for(conn, who, employee_id)
    employee_ids, group_ids = groups.contacts(conn, employee_id)
    direct, via_group = console_reads.reached_by(conn, employee_id)
    names = console_reads.names(conn, set(employee_ids) | set(direct) | set(via_group))
    group_rows = console_reads.group_names(conn, set(group_ids))
    return {"person": person, "can_edit": who.can(MANAGE_PEOPLE, person.site_id),
            "list_people": [names[i] for i in employee_ids if i in names],
            "list_groups": [group_rows[g] for g in group_ids if g in group_rows],
            "reached_direct": [names[i] for i in direct if i in names],
            "reached_via_group": [names[i] for i in via_group if i in names
                                  and i not in set(direct)],
            **candidates(conn, find, {employee_id, *employee_ids}, set(group_ids))}


@router.get("/contacts")
def landing(request: Request, who: Viewer, q: str = "") -> Response:
    who.require(READ)
    with db_of(request).read() as conn:
        rows, total = (console_reads.find_people(conn, q[:100], who.sites(READ), 20)
                       if q.strip() else ([], 0))
        group_rows = console_reads.find_groups(conn, "")
    return page(request, who, "contacts/landing.html", q=q, rows=rows, total=total,
                groups=group_rows, can_manage=who.can(MANAGE_PEOPLE))


@router.get("/contacts/bulk")
def bulk(request: Request, who: Viewer) -> Response:
    who.require(MANAGE_PEOPLE)
    return page(request, who, "contacts/bulk.html", **_bulk_plan(request, who))


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _bulk_plan(request: Request, who: Principal,
               params: Any = None) -> dict[str, Any]:
    """Which members of the chosen group the caller may change, and how many would."""
    params = params if params is not None else request.query_params
    group_text = params.get("group", "")
    group_id = int(group_text) if str(group_text).isdigit() else None
    add_people = set(_ints(params.getlist("emp")))
    add_groups = set(_ints(params.getlist("grp")))
    scope = who.sites(MANAGE_PEOPLE)
    with db_of(request).read() as conn:
        all_groups = console_reads.group_names(conn)
        if group_id not in all_groups:
            group_id = None
        members = (groups.member_details(conn, group_id) if group_id is not None else [])
        mine = [m.employee_id for m in members if scope is None or m.site_id in scope]
        changing = contacts.would_change(conn, mine, add_people, add_groups)
        chosen_people = console_reads.names(conn, add_people)
        find = params.get("find", "")
        found = candidates(conn, str(find), add_people, add_groups)
    return {"all_groups": all_groups, "group_id": group_id, "members": len(members),
            "mine": mine, "changing": changing, "outside": len(members) - len(mine),
            "add_people": [chosen_people[i] for i in sorted(chosen_people)],
            "add_groups": [all_groups[g] for g in sorted(add_groups) if g in all_groups],
            **found}


@router.post("/contacts/bulk")
def bulk_apply(request: Request, sent: Sent) -> Response:
    sent.who.require(MANAGE_PEOPLE)
    plan = _bulk_plan(request, sent.who, sent.form)
    with db_of(request).write() as conn:
        for owner_id in plan["changing"]:
            contacts.change_contacts(
                conn, actor_of(sent.who), owner_id,
                add_employees=[p.id for p in plan["add_people"]],
                add_groups=[g.id for g in plan["add_groups"]])
    return back(f"{web.PREFIX}/contacts/bulk?group={plan['group_id'] or ''}", "applied")


@router.get("/contacts/{employee_id}")
def person_list(request: Request, who: Viewer, employee_id: int, find: str = "") -> Response:
    with db_of(request).read() as conn:
        context = _person_context(conn, who, employee_id, find)
    return page(request, who, "contacts/person.html", **context)


@router.post("/contacts/{employee_id}/{change}")
def change(request: Request, employee_id: int, change: str,
           sent: Sent) -> Response:
    if change not in ("add", "remove"):
        raise NotFound("unknown_page", "no such page")
    people_ids, group_ids = sent.ints("employee"), sent.ints("group")
    with db_of(request).write() as conn:
        employee_for(conn, sent.who, employee_id, MANAGE_PEOPLE)
        for group_id in group_ids:
            groups.get_group(conn, group_id)  # NotFound: 404, nothing changed
        if change == "add":
            contacts.change_contacts(conn, actor_of(sent.who), employee_id,
                                     add_employees=people_ids, add_groups=group_ids)
        else:
            contacts.change_contacts(conn, actor_of(sent.who), employee_id,
                                     remove_employees=people_ids, remove_groups=group_ids)
    return back(f"{web.PREFIX}/contacts/{employee_id}", "added" if change == "add"
                else "removed")
