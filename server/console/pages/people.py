"""People: the list (search by name or badge), and a new employee."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.actions import people
from server.console import web
from server.console.auth.access import MANAGE_PEOPLE, READ, Principal
from server.console.deps import Sent, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.console.pages.forms import EmployeeForm, choices, managed_sites
from server.repo import Refused, console_reads

router = APIRouter()
PAGE_SIZE = 50


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


@router.get("/people")
def people_list(request: Request, who: Viewer, q: str = "", site: str = "") -> Response:
    who.require(READ)
    number = _page_number(request.query_params.get("page", "1"))
    scope = who.sites(READ)
    site_id = int(site) if site.isdigit() else None
    if site_id is not None and scope is not None and site_id not in scope:
        site_id = None
    with db_of(request).read() as conn:
        rows, total = console_reads.find_people(conn, q[:100], scope, PAGE_SIZE,
                                                (number - 1) * PAGE_SIZE, site_id=site_id)
    visible_sites = {k: v for k, v in who.site_names.items() if scope is None or k in scope}
    return page(request, who, "people/list.html", rows=rows, total=total, q=q,
                site=site_id, sites=visible_sites, page_no=number, size=PAGE_SIZE,
                can_manage=who.can(MANAGE_PEOPLE), **choices(who))


def _new_form(request: Request, who: Principal, form: EmployeeForm, badge: str = "",
              badge_error: str = "", status: int = 200) -> Response:
    with db_of(request).read() as conn:
        sites = managed_sites(conn, who)
    return page(request, who, "people/new.html", status=status, form=form, sites=sites,
                badge=badge, badge_error=badge_error, **choices(who))


@router.get("/people/new")
def new_form(request: Request, who: Viewer) -> Response:
    who.require(MANAGE_PEOPLE)
    return _new_form(request, who, EmployeeForm())


@router.post("/people/new")
def create(request: Request, sent: Sent) -> Response:
    who = sent.who
    who.require(MANAGE_PEOPLE)
    _ = web.words(who)
    db = db_of(request)
    with db.read() as conn:
        form = EmployeeForm.read(sent, managed_sites(conn, who))
    badge = sent.text("badge")
    if form.errors:
        return _new_form(request, who, form, badge, status=422)
    assert form.site_id is not None
    try:
        with db.write() as conn:
            employee_id = people.create_employee(conn, actor_of(who), form.name, form.site_id,
                                                 form.role, form.language, form.moderated)
            if badge:
                people.add_badge(conn, actor_of(who), employee_id, badge)
    except Refused as refused:
        # Only the badge can be refused here (in use, too long): nothing was created.
        message = (_("This badge is already registered.") if refused.code == "duplicate_badge"
                   else _("A badge id has 1 to 64 characters."))
        return _new_form(request, who, form, badge, message, status=422)
    return back(f"{web.PREFIX}/people/{employee_id}", "created")
