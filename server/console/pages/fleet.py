"""The terminal fleet (site IT, HR admins): every terminal per site, online or not, its
latest state report and what needs attention; enrollment codes (text and QR code),
renaming, revoking, and a stolen terminal.

Role and site are checked on the server for every page and action (``TERMINALS`` on
the terminal's site: another site's terminal is a 404). Changes go through
``server.actions.terminals``, which writes the audit log.
"""

from __future__ import annotations

from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from server.actions import terminals as actions
from server.console import web
from server.console.auth.access import TERMINALS, Denied, Principal
from server.console.deps import Sent, Submission, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.console.pages import filters
from server.db.types import utcnow
from server.repo import Refused, directory, fleet
from server.services import fleet as views

router = APIRouter()
SITES_PER_PAGE = 20


def _terminal(request: Request, who: Principal, terminal_id: int) -> Any:
    """The terminal, if it is one of the caller's sites' (else 404, as if none)."""
    who.require(TERMINALS)
    with db_of(request).read() as conn:
        row = fleet.get_terminal(conn, terminal_id, utcnow())
    if row is None or not who.can(TERMINALS, row.site_id):
        raise Denied(404)
    return row


@router.get("/fleet")
def fleet_page(request: Request, who: Viewer, site: str = "", attention: str = "") -> Response:
    who.require(TERMINALS)
    scope = who.sites(TERMINALS)
    site_id = int(site) if site.isdigit() else None
    if site_id is not None and scope is not None and site_id not in scope:
        raise Denied(404)
    now = utcnow()
    shown = {site_id} if site_id is not None else scope
    number = filters.page_number(request)
    with db_of(request).read() as conn:
        summary = fleet.site_summary(conn, shown, now)
        sites = views.sites_in_order((s for s in directory.list_sites(conn)
                                      if shown is None or s.id in shown), summary)
        listed = [s for s in sites if s.attention] if attention else sites
        start = (number - 1) * SITES_PER_PAGE
        page_sites = listed[start:start + SITES_PER_PAGE]
        # Only the listed sites' terminals are read in full.
        rows = fleet.fleet(conn, {s.site_id for s in page_sites}, now) if page_sites else []
    views.fill(page_sites, rows, now)
    return page(request, who, "fleet/list.html", sites=sites, listed=page_sites,
                total=len(listed), page_no=number, size=SITES_PER_PAGE, site=site_id,
                attention=bool(attention),
                site_names={k: v for k, v in who.site_names.items()
                            if scope is None or k in scope},
                terminals=sum(s.live for s in sites), needing=sum(s.attention for s in sites),
                fmt=Figures(who))


@router.get("/fleet/terminals/{terminal_id}")
def terminal_page(request: Request, who: Viewer, terminal_id: int) -> Response:
    row = _terminal(request, who, terminal_id)
    return _show(request, who, row)


def _show(request: Request, who: Principal, row: Any, errors: dict[str, str] | None = None,
          name: str | None = None, status: int = 200) -> Response:
    held = None
    if row.revoked_at is not None:
        with db_of(request).read() as conn:
            held = fleet.held_by(conn, row.site_id, row.last_seen_at)
    return page(request, who, "fleet/terminal.html", status=status,
                t=views.view(row, utcnow()), held=held, errors=errors or {},
                name=row.name if name is None else name, fmt=Figures(who))


@router.post("/fleet/terminals/{terminal_id}/rename")
def rename(request: Request, terminal_id: int, sent: Sent) -> Response:
    row = _terminal(request, sent.who, terminal_id)
    _ = web.words(sent.who)
    name = sent.text("name")
    try:
        with db_of(request).write() as conn:
            actions.rename(conn, actor_of(sent.who), terminal_id, name)
    except Refused:
        return _show(request, sent.who, row, {"name": _(
            "A name of 1 to %(n)s characters.") % {"n": actions.MAX_NAME}}, name, status=422)
    return back(f"{web.PREFIX}/fleet/terminals/{terminal_id}", "saved")


def _confirmed(request: Request, sent: Submission, row: Any, field: str) -> Response | None:
    """None when the box saying what will happen was ticked; else the page again."""
    if sent.flag(field):
        return None
    _ = web.words(sent.who)
    return _show(request, sent.who, row, {field: _("Tick the box to confirm.")}, status=422)


@router.post("/fleet/terminals/{terminal_id}/revoke")
def revoke(request: Request, terminal_id: int, sent: Sent) -> Response:
    row = _terminal(request, sent.who, terminal_id)
    refused = _confirmed(request, sent, row, "confirm_revoke")
    if refused is not None:
        return refused
    with db_of(request).write() as conn:
        actions.revoke(conn, actor_of(sent.who), terminal_id)
    return back(f"{web.PREFIX}/fleet/terminals/{terminal_id}", "revoked")


@router.post("/fleet/terminals/{terminal_id}/stolen")
def stolen(request: Request, terminal_id: int, sent: Sent) -> Response:
    row = _terminal(request, sent.who, terminal_id)
    refused = _confirmed(request, sent, row, "confirm_stolen")
    if refused is not None:
        return refused
    with db_of(request).write() as conn:
        actions.report_stolen(conn, actor_of(sent.who), terminal_id)
    return back(f"{web.PREFIX}/fleet/terminals/{terminal_id}", "stolen")


def _enroll_sites(who: Principal) -> dict[int, str]:
    scope = who.sites(TERMINALS)
    return {k: v for k, v in sorted(who.site_names.items(), key=lambda kv: kv[1].casefold())
            if scope is None or k in scope}


@router.get("/fleet/enroll")
def enroll_form(request: Request, who: Viewer, site: str = "") -> Response:
    who.require(TERMINALS)
    site_id = int(site) if site.isdigit() else None
    return page(request, who, "fleet/enroll.html", sites=_enroll_sites(who), site=site_id,
                code=None, errors={})


@router.post("/fleet/enroll")
def make_code(request: Request, sent: Sent) -> Response:
    who = sent.who
    who.require(TERMINALS)
    _ = web.words(who)
    sites = _enroll_sites(who)
    raw = sent.text("site")
    site_id = int(raw) if raw.isdigit() else None
    if site_id is None or site_id not in sites:
        if site_id is not None and not who.can(TERMINALS, site_id):
            raise Denied(404)  # another site's: as if it did not exist
        return page(request, who, "fleet/enroll.html", status=422, sites=sites, site=None,
                    code=None, errors={"site": _("Choose a site.")})
    with db_of(request).write() as conn:
        code, expires_at = actions.make_code(conn, actor_of(who), site_id)
        zone = directory.get_site(conn, site_id).timezone
    command = f"kiosk setup --server {str(request.base_url).rstrip('/')} --code {code}"
    qr = segno.make(command, error="m").svg_inline(scale=4, dark="#111", light="#fff")
    response = page(request, who, "fleet/enroll.html", sites=sites, site=site_id, code=code,
                    command=command, qr=Markup(qr), expires_at=expires_at, zone=zone,  # noqa: S704 - segno's SVG of our own text
                    errors={})
    response.headers["Cache-Control"] = "no-store"  # a one-time code: never kept
    return response


class Figures:
    """The report's numbers as people read them, in the caller's language."""

    def __init__(self, who: Principal) -> None:
        self._ = web.words(who)

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return "—"
        _ = self._
        seconds = abs(seconds)
        if seconds < 90:
            return _("%(n)s s") % {"n": f"{seconds:.0f}"}
        if seconds < 90 * 60:
            return _("%(n)s min") % {"n": f"{seconds / 60:.0f}"}
        if seconds < 48 * 3600:
            return _("%(n)s h") % {"n": f"{seconds / 3600:.1f}"}
        return _("%(n)s d") % {"n": f"{seconds / 86400:.1f}"}

    def offset(self, seconds: float | None) -> str:
        """'+2 s' (the terminal is behind the server) / '−3 min' (ahead)."""
        if seconds is None:
            return "—"
        return ("+" if seconds >= 0 else "−") + self.duration(seconds)

    def size(self, count: int | None) -> str:
        if count is None:
            return "—"
        _ = self._
        if count >= 2**30:
            return _("%(n)s GiB") % {"n": f"{count / 2**30:.1f}"}
        return _("%(n)s MiB") % {"n": f"{count / 2**20:.0f}"}

    def warning(self, key: str) -> str:
        _ = self._
        return {"offline": _("Offline"), "outbox_old": _("Outbox older than an hour"),
                "clock_off": _("Clock off"), "reader_down": _("Reader disconnected"),
                "disk_low": _("Disk low")}.get(key, key)

    def outbox_age(self, row: Any, now: Any = None) -> str:
        if not row.outbox_depth or row.outbox_oldest_at is None:
            return ""
        return self.duration(((now or utcnow()) - row.outbox_oldest_at).total_seconds())
