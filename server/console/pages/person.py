"""One person: edit, disable or enable, and their badges (add, disable a lost one,
enable, remove, last use)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from server.actions import people
from server.console import web
from server.console.auth.access import MANAGE_PEOPLE, READ, Principal
from server.console.deps import Sent, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.console.pages.forms import EmployeeForm, choices, managed_sites
from server.repo import NotFound, Refused, console_reads, directory

router = APIRouter()


def employee_for(conn: Connection, who: Principal, employee_id: int,
                 capability: str = READ) -> Any:
    """The employee if the caller has ``capability`` where they work (a change needs
    their home site); else Denied (404: other sites' ids tell nothing)."""
    try:
        row = directory.get_employee(conn, employee_id)
    except NotFound:
        who.require(capability, set())
        raise
    sites = {row.site_id} if capability != READ else directory.sites_of(conn, employee_id)
    who.require(capability, sites)
    return row


def _show(request: Request, who: Principal, employee_id: int, form: EmployeeForm | None = None,
          badge: str = "", badge_error: str = "", status: int = 200) -> Response:
    with db_of(request).read() as conn:
        row = employee_for(conn, who, employee_id)
        site = directory.get_site(conn, row.site_id)
        can_edit = who.can(MANAGE_PEOPLE, row.site_id)
        sites = managed_sites(conn, who)
        badges = directory.list_badges(conn, employee_id)
        last_punch = console_reads.last_punch(conn, employee_id)
    return page(request, who, "people/detail.html", status=status, person=row, site=site,
                form=form or EmployeeForm.of(row), sites=sites, can_edit=can_edit,
                badges=badges, last_punch=last_punch, badge=badge, badge_error=badge_error,
                **choices(who))


@router.get("/people/{employee_id}")
def show(request: Request, employee_id: int, who: Viewer) -> Response:
    return _show(request, who, employee_id)


@router.post("/people/{employee_id}")
def save(request: Request, employee_id: int,
         sent: Sent) -> Response:
    db = db_of(request)
    with db.read() as conn:
        current = employee_for(conn, sent.who, employee_id, MANAGE_PEOPLE)
        form = EmployeeForm.read(sent, managed_sites(conn, sent.who), current.role)
    if form.errors:
        return _show(request, sent.who, employee_id, form, status=422)
    with db.write() as conn:
        people.update_employee(conn, actor_of(sent.who), employee_id, name=form.name,
                               site_id=form.site_id, role=form.role, language=form.language,
                               moderated=form.moderated)
    return back(f"{web.PREFIX}/people/{employee_id}", "saved")


@router.post("/people/{employee_id}/{state}")
def set_active(request: Request, employee_id: int, state: str,
               sent: Sent) -> Response:
    if state not in ("disable", "enable"):
        raise NotFound("unknown_page", "no such page")
    with db_of(request).write() as conn:
        employee_for(conn, sent.who, employee_id, MANAGE_PEOPLE)
        people.update_employee(conn, actor_of(sent.who), employee_id,
                               active=state == "enable")
    return back(f"{web.PREFIX}/people/{employee_id}", f"{state}d")


@router.post("/people/{employee_id}/badges/add")
def add_badge(request: Request, employee_id: int,
              sent: Sent) -> Response:
    _ = web.words(sent.who)
    uid = sent.text("badge")
    try:
        with db_of(request).write() as conn:
            employee_for(conn, sent.who, employee_id, MANAGE_PEOPLE)
            people.add_badge(conn, actor_of(sent.who), employee_id, uid)
    except Refused as refused:
        if isinstance(refused, NotFound):
            raise
        message = (_("This badge is already registered.") if refused.code == "duplicate_badge"
                   else _("A badge id has 1 to 64 characters."))
        return _show(request, sent.who, employee_id, badge=uid, badge_error=message,
                     status=422)
    return back(f"{web.PREFIX}/people/{employee_id}#badges", "added")


@router.post("/people/{employee_id}/badges/{badge_id}/{state}")
def change_badge(request: Request, employee_id: int, badge_id: int, state: str,
                 sent: Sent) -> Response:
    if state not in ("disable", "enable", "remove"):
        raise NotFound("unknown_page", "no such page")
    with db_of(request).write() as conn:
        employee_for(conn, sent.who, employee_id, MANAGE_PEOPLE)
        badge = next((b for b in directory.list_badges(conn, employee_id) if b.id == badge_id),
                     None)
        if badge is None:
            raise NotFound("unknown_badge", "no such badge")
        if state == "remove":
            people.remove_badge(conn, actor_of(sent.who), badge_id)
        else:
            people.set_badge_active(conn, actor_of(sent.who), badge.uid, state == "enable")
    notice = {"remove": "removed", "disable": "disabled", "enable": "enabled"}[state]
    return back(f"{web.PREFIX}/people/{employee_id}#badges", notice)
