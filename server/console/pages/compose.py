"""The broadcast composer: sites, groups and people (by name), text, an optional photo,
acknowledgement required, no reply, an expiry; a preview as a terminal shows it, then
send now or at a time in the sender's site's time zone (kept until then, sent by the
leader's periodic job: ``actions.scheduled_broadcasts``). People who manage people may
send to their sites' people; groups, which span sites, are for HR admins. The sender
is the employee the account is (``--employee``)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from server.actions import broadcasts, scheduled_broadcasts
from server.console import web
from server.console.auth.access import ADMIN, MANAGE_PEOPLE, Principal
from server.console.deps import Sent, Submission, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.db.types import fold, utcnow
from server.repo import Refused, accounts, console_reads, directory
from server.repo.punch_reads import zone
from server.services.messaging import MAX_BROADCAST_PHOTO_BYTES

router = APIRouter()
MAX_BODY = 4000
MAX_EXPIRY_HOURS = 24 * 30
MAX_SCHEDULE_AHEAD = timedelta(days=30)


@dataclass
class Draft:
    body: str = ""
    sites: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    people_text: str = ""
    people: list[int] = field(default_factory=list)
    ack: bool = False
    no_reply: bool = False
    expires_hours: str = ""
    send_at_text: str = ""
    send_at: datetime | None = None  # UTC; None: now
    photo: bytes | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _choices(conn: Connection, who: Principal) -> dict[str, Any]:
    scope = who.sites(MANAGE_PEOPLE)
    sites = {row.id: row.name for row in directory.list_sites(conn)
             if scope is None or row.id in scope}
    groups = ({g.id: g.name for g in console_reads.find_groups(conn, "")}
              if who.can(ADMIN) else {})
    return {"site_choices": sites, "group_choices": groups}


def _people(conn: Connection, who: Principal, text: str, draft: Draft) -> None:
    """Names, one a line, each matching exactly one active person the caller manages."""
    _ = web.words(who)
    scope = who.sites(MANAGE_PEOPLE)
    for line in (t.strip() for t in text.splitlines()):
        if not line:
            continue
        rows, _total = console_reads.find_people(conn, line, scope, 5, active_only=True)
        exact = [r for r in rows if fold(r.name) == fold(line)]
        found = exact or rows
        if len(found) != 1:
            draft.errors["people"] = (_("Nobody you manage is called “%(name)s”.") if not found
                                      else _("Several people match “%(name)s”: type the "
                                             "whole name.")) % {"name": line}
            return
        draft.people.append(found[0].id)


def read_draft(conn: Connection, sent: Submission, choices: dict[str, Any]) -> Draft:
    _ = web.words(sent.who)
    d = Draft(sent.text("body"), [s for s in sent.ints("site") if s in choices["site_choices"]],
              [g for g in sent.ints("group") if g in choices["group_choices"]],
              sent.text("people"), [], sent.flag("ack"), sent.flag("no_reply"),
              sent.text("expires_hours"))
    if len(d.sites) != len(sent.ints("site")) or len(d.groups) != len(sent.ints("group")):
        d.errors["targets"] = _("Choose among your sites and the groups offered.")
    _people(conn, sent.who, d.people_text, d)
    upload = sent.form.get("photo")
    data = upload.file.read(MAX_BROADCAST_PHOTO_BYTES + 1) if hasattr(upload, "file") else b""
    if not data and sent.text("photo_data"):  # attached before the preview
        try:
            data = base64.b64decode(sent.text("photo_data"), validate=True)
        except ValueError:
            data = b"-"
    if data:
        if not data.startswith(b"\xff\xd8\xff") or len(data) > MAX_BROADCAST_PHOTO_BYTES:
            d.errors["photo"] = _("A photo is a JPEG of at most 8 MB.")
        else:
            d.photo = data
    if not d.body and d.photo is None:
        d.errors["body"] = _("Write the message.")
    elif len(d.body) > MAX_BODY:
        d.errors["body"] = _("A message has at most %(n)s characters.") % {"n": MAX_BODY}
    if not (d.sites or d.groups or d.people) and "targets" not in d.errors:
        d.errors["targets"] = _("Choose at least one site, group or person.")
    hours = d.expires_hours
    if hours and not (hours.isdigit() and 1 <= int(hours) <= MAX_EXPIRY_HOURS):
        d.errors["expires_hours"] = _("A whole number of hours from 1 to %(n)s.") % {
            "n": MAX_EXPIRY_HOURS}
    return d


def read_send_at(who: Principal, text: str, timezone: str, draft: Draft) -> None:
    """A local time typed as YYYY-MM-DD HH:MM (a browser's datetime-local sends a "T")
    in ``timezone``: in the future, within MAX_SCHEDULE_AHEAD, and a time that exists
    there (not in the hour skipped when clocks go forward)."""
    _ = web.words(who)
    draft.send_at_text = text = text.strip()[:40]
    if not text:
        return
    try:
        local = datetime.strptime(text.replace("T", " ")[:16], "%Y-%m-%d %H:%M")
    except ValueError:
        draft.errors["send_at"] = _("Enter a date and time as YYYY-MM-DD HH:MM.")
        return
    tz = zone(timezone)
    at = local.replace(tzinfo=tz).astimezone(UTC)
    if at.astimezone(tz).replace(tzinfo=None) != local:
        draft.errors["send_at"] = _("%(time)s does not exist in %(zone)s (the clocks go "
                                    "forward then): choose another time.") % {
            "time": local.strftime("%Y-%m-%d %H:%M"), "zone": timezone}
    elif at <= utcnow():
        draft.errors["send_at"] = _("This time is in the past (it is now %(now)s in "
                                    "%(zone)s).") % {
            "now": utcnow().astimezone(tz).strftime("%Y-%m-%d %H:%M"), "zone": timezone}
    elif at > utcnow() + MAX_SCHEDULE_AHEAD:
        draft.errors["send_at"] = _("A broadcast is scheduled at most %(n)s days "
                                    "ahead.") % {"n": MAX_SCHEDULE_AHEAD.days}
    else:
        draft.send_at = at


def _timezone(conn: Connection, sender: Any) -> str:
    if sender is None:
        return "UTC"
    return str(directory.get_site(conn, sender.site_id).timezone)


def _sender(conn: Connection, who: Principal) -> Any:
    employee_id = accounts.get_account(conn, who.account_id).employee_id
    return directory.get_employee(conn, employee_id) if employee_id else None


def _form(request: Request, who: Principal, draft: Draft, preview: bool = False,
          status: int = 200) -> Response:
    with db_of(request).read() as conn:
        choices = _choices(conn, who)
        sender = _sender(conn, who)
        timezone = _timezone(conn, sender)
    photo = base64.b64encode(draft.photo).decode() if draft.photo else ""
    return page(request, who, "broadcasts/new.html", status=status, d=draft, sender=sender,
                preview=preview and not draft.errors, photo_data=photo,
                timezone=timezone, **choices)


@router.get("/broadcasts/new")
def new(request: Request, who: Viewer) -> Response:
    who.require(MANAGE_PEOPLE)
    return _form(request, who, Draft(ack=True, no_reply=True))


@router.post("/broadcasts/new")
def send(request: Request, sent: Sent) -> Response:
    who = sent.who
    who.require(MANAGE_PEOPLE)
    _ = web.words(who)
    with db_of(request).read() as conn:
        draft = read_draft(conn, sent, _choices(conn, who))
        sender = _sender(conn, who)
        read_send_at(who, sent.text("send_at"), _timezone(conn, sender), draft)
    if sender is None:
        draft.errors["sender"] = _("Your account is not linked to an employee: an HR "
                                   "administrator links it (accounts create --employee).")
    if draft.errors or sent.text("do") != "send":
        return _form(request, who, draft, preview=True, status=422 if draft.errors else 200)
    if draft.send_at is not None:
        return _schedule(request, who, sender.id, draft)
    expires = (utcnow() + timedelta(hours=int(draft.expires_hours))
               if draft.expires_hours else None)
    try:
        with db_of(request).write() as conn:
            message_id = broadcasts.send(
                conn, actor_of(who), sender.id, draft.body, site_ids=draft.sites,
                group_ids=draft.groups, employee_ids=draft.people, ack_required=draft.ack,
                reply_allowed=not draft.no_reply, expires_at=expires, photo=draft.photo)
    except Refused:
        draft.errors["targets"] = _("Nobody active would receive this message.")
        return _form(request, who, draft, status=422)
    return back(f"{web.PREFIX}/broadcasts/{message_id}", "sent")


def _schedule(request: Request, who: Principal, sender_id: int, draft: Draft) -> Response:
    """Kept to be sent at ``draft.send_at``: who it reaches is resolved then."""
    assert draft.send_at is not None
    plan = scheduled_broadcasts.Plan(
        draft.body, draft.sites, draft.groups, draft.people, draft.ack, not draft.no_reply,
        int(draft.expires_hours) if draft.expires_hours else None, draft.photo)
    with db_of(request).write() as conn:
        scheduled_broadcasts.schedule(conn, actor_of(who), sender_id, plan, draft.send_at)
    return back(f"{web.PREFIX}/broadcasts", "scheduled")
