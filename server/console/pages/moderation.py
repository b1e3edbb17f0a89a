"""The moderation queue: pending messages oldest first, with their pictures (the
server's own render of a drawing); approve, reject with a reason, approve many; the
navigation's pending count."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from server.actions import moderation
from server.console import web
from server.console.auth.access import MODERATE, Denied, Principal
from server.console.deps import Sent, Submission, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.repo import NotFound, Refused, attachments, console_reads, groups, messages

router = APIRouter()
PAGE_SIZE = 25


def _cards(conn: Connection, rows: list[Any]) -> list[dict[str, Any]]:
    """Each pending message with its recipients' names."""
    people: set[int] = set()
    group_ids: set[int] = set()
    for row in rows:
        people |= set(json.loads(row.to_employees))
        group_ids |= set(json.loads(row.to_groups))
    names = console_reads.names(conn, people)
    group_rows = console_reads.group_names(conn, group_ids) if group_ids else {}
    member_counts = groups.member_counts(conn, group_ids) if group_ids else {}
    cards = []
    for row in rows:
        cards.append({
            "message": row,
            "people": [names[i].name for i in json.loads(row.to_employees) if i in names],
            "groups": [(group_rows[g].name, member_counts.get(g, 0))
                       for g in json.loads(row.to_groups) if g in group_rows],
        })
    return cards


def _queue(request: Request, who: Principal, errors: dict[str, str] | None = None,
           reasons: dict[str, str] | None = None, status: int = 200) -> Response:
    who.require(MODERATE)
    text = request.query_params.get("page", "1")
    number = int(text) if text.isdigit() and 0 < int(text) < 10_000 else 1
    scope = who.sites(MODERATE)
    text = request.query_params.get("q", "")[:100]
    with db_of(request).read() as conn:
        rows = console_reads.pending(conn, scope, PAGE_SIZE, (number - 1) * PAGE_SIZE, text)
        total = console_reads.pending_count(conn, scope, text)
        cards = _cards(conn, rows)
    return page(request, who, "moderation/queue.html", status=status, cards=cards, total=total,
                page_no=number, size=PAGE_SIZE, errors=errors or {}, reasons=reasons or {},
                q=text)


@router.get("/moderation")
def queue(request: Request, who: Viewer) -> Response:
    return _queue(request, who)


@router.get("/moderation/count")
def count(request: Request, who: Viewer) -> Response:
    """The navigation's badge, polled by htmx."""
    who.require(MODERATE)
    with db_of(request).read() as conn:
        pending = console_reads.pending_count(conn, who.sites(MODERATE))
    return web.render(request, "moderation/_count.html", who, nav={"pending": pending},
                      wrap=True)


def _check_scope(conn: Connection, who: Principal, message_id: str) -> None:
    """Denied (404) unless the message was sent by or from a site the caller moderates."""
    sites = console_reads.message_sites(conn, message_id)
    if not sites:
        who.require(MODERATE, set())
        raise NotFound("unknown_message", "no such message")
    who.require(MODERATE, sites)


@router.get("/moderation/{message_id}/picture")
def picture(request: Request, message_id: str, who: Viewer) -> Response:
    with db_of(request).read() as conn:
        _check_scope(conn, who, message_id)
        message = messages.get(conn, message_id)
        stored = attachments.data(conn, message.attachment_sha256 or "")
    if stored is None:
        raise NotFound("unknown_attachment", "no picture")
    return Response(stored.data, media_type=stored.content_type,
                    headers={"Cache-Control": "private, max-age=3600",
                             "X-Content-Type-Options": "nosniff"})


def _decide(request: Request, sent: Submission, message_id: str, approve: bool,
            reason: str | None) -> str:
    """'approved', 'rejected', or 'already' when someone decided it first."""
    try:
        with db_of(request).write() as conn:
            _check_scope(conn, sent.who, message_id)
            moderation.decide(conn, actor_of(sent.who), message_id, approve, reason)
    except Refused as refused:
        if refused.code != "not_pending":
            raise
        return "already"
    return "approved" if approve else "rejected"


@router.post("/moderation/bulk")
def bulk_approve(request: Request, sent: Sent) -> Response:
    sent.who.require(MODERATE)
    ids = [str(v) for v in sent.form.getlist("message") if isinstance(v, str)][:PAGE_SIZE * 4]
    outcomes = []
    for message_id in ids:
        try:
            outcomes.append(_decide(request, sent, message_id, True, None))
        except (Denied, NotFound):
            # Not one of the caller's (or gone): skipped, the others are still decided.
            outcomes.append("already")
    notice = "already" if "already" in outcomes else "approved"
    return back(f"{web.PREFIX}/moderation", notice if ids else None)


@router.post("/moderation/{message_id}/{decision}")
def decide(request: Request, message_id: str, decision: str,
           sent: Sent) -> Response:
    if decision not in ("approve", "reject"):
        raise NotFound("unknown_page", "no such page")
    reason = sent.text("reason")
    if decision == "reject" and not 1 <= len(reason) <= moderation.MAX_REASON:
        _ = web.words(sent.who)
        with db_of(request).read() as conn:
            _check_scope(conn, sent.who, message_id)
        error = (_("Give the sender a reason (they see it).") if not reason
                 else _("A reason has at most %(n)s characters.") % {"n": moderation.MAX_REASON})
        return _queue(request, sent.who, {message_id: error}, {message_id: reason}, 422)
    outcome = _decide(request, sent, message_id, decision == "approve",
                      reason if decision == "reject" else None)
    return back(f"{web.PREFIX}/moderation", outcome)
