"""Groups: their members, who may post, and whether HR approves what is posted.

Creating a group and its moderation flag concern every site: HR admins only. A site
manager adds, removes and sets posting rights for members who work at their sites.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.actions import contacts
from server.console import web
from server.console.auth.access import ADMIN, MANAGE_PEOPLE, READ, Principal
from server.console.deps import Sent, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.console.pages.contacts import candidates
from server.repo import NotFound, Refused, console_reads, directory, groups

router = APIRouter()


def _list(request: Request, who: Principal, q: str = "", name: str = "", error: str = "",
          status: int = 200) -> Response:
    with db_of(request).read() as conn:
        rows = console_reads.find_groups(conn, q[:100])
    return page(request, who, "groups/list.html", status=status, rows=rows, q=q,
                can_create=who.can(ADMIN), name=name, error=error)


@router.get("/groups")
def group_list(request: Request, who: Viewer, q: str = "") -> Response:
    who.require(READ)
    return _list(request, who, q)


@router.post("/groups/new")
def create(request: Request, sent: Sent) -> Response:
    sent.who.require(ADMIN)
    _ = web.words(sent.who)
    name = sent.text("name")
    if not name or len(name) > 120:
        return _list(request, sent.who, name=name, status=422,
                     error=_("A group name has 1 to 120 characters."))
    try:
        with db_of(request).write() as conn:
            group_id = contacts.create_group(conn, actor_of(sent.who), name,
                                             sent.flag("moderated"))
    except Refused:
        return _list(request, sent.who, name=name, status=422,
                     error=_("A group with this name already exists."))
    return back(f"{web.PREFIX}/groups/{group_id}", "created")


@router.get("/groups/{group_id}")
def show(request: Request, who: Viewer, group_id: int, find: str = "") -> Response:
    who.require(READ)
    scope = who.sites(MANAGE_PEOPLE)
    with db_of(request).read() as conn:
        group = groups.get_group(conn, group_id)
        members = groups.member_details(conn, group_id)
        names = console_reads.names(conn, {m.employee_id for m in members})
        found = candidates(conn, find, {m.employee_id for m in members}, set())
    found["groups"] = []
    if scope is not None:  # only people the caller manages can be added by them
        found["people"] = [p for p in found["people"] if p.site_id in scope]
    rows = sorted(((names[m.employee_id], m) for m in members if m.employee_id in names),
                  key=lambda pair: pair[0].name.lower())
    return page(request, who, "groups/detail.html", group=group, rows=rows,
                can_admin=who.can(ADMIN), manages=lambda site: who.can(MANAGE_PEOPLE, site),
                can_add=who.can(MANAGE_PEOPLE), **found)


@router.post("/groups/{group_id}/moderated")
def moderated(request: Request, group_id: int,
              sent: Sent) -> Response:
    sent.who.require(ADMIN)
    with db_of(request).write() as conn:
        contacts.set_group_moderated(conn, actor_of(sent.who), group_id, sent.flag("moderated"))
    return back(f"{web.PREFIX}/groups/{group_id}", "saved")


@router.post("/groups/{group_id}/members/{change}")
def members(request: Request, group_id: int, change: str,
            sent: Sent) -> Response:
    if change not in ("add", "remove", "posting"):
        raise NotFound("unknown_page", "no such page")
    [employee_id] = sent.ints("employee")[:1] or [0]
    with db_of(request).write() as conn:
        groups.get_group(conn, group_id)
        employee = directory.get_employee(conn, employee_id)
        sent.who.require(MANAGE_PEOPLE, employee.site_id)
        if change == "remove":
            contacts.remove_member(conn, actor_of(sent.who), group_id, employee_id)
        else:
            contacts.set_member(conn, actor_of(sent.who), group_id, employee_id,
                                sent.flag("can_post"))
    notice = {"add": "added", "remove": "removed", "posting": "saved"}[change]
    return back(f"{web.PREFIX}/groups/{group_id}", notice)
