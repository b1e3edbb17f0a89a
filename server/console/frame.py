"""The frame around every page: the navigation's counts and the caller's sites."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from server.console import web
from server.console.auth.access import MODERATE, READ, TERMINALS, Principal
from server.console.deps import db_of
from server.db.types import utcnow
from server.repo import console_reads, fleet


def nav_counts(request: Request, who: Principal) -> dict[str, int | None]:
    """``fleet``: live terminals needing attention (None: not the caller's business)."""
    with db_of(request).read() as conn:
        pending = (console_reads.pending_count(conn, who.sites(MODERATE))
                   if who.can(MODERATE) else None)
        people = (console_reads.find_people(conn, "", who.sites(READ), limit=0)[1]
                  if who.can(READ) else None)
        terminals = (fleet.attention_count(conn, who.sites(TERMINALS), utcnow())
                     if who.can(TERMINALS) else None)
    return {"pending": pending, "people": people, "audit": 1 if who.roles else None,
            "settings": 1 if who.can(TERMINALS) else None, "fleet": terminals}


def page(request: Request, who: Principal, template: str, status: int = 200,
         **context: Any) -> HTMLResponse:
    """A whole page. An htmx request for the same URL (a search typed, a page turned)
    gets the template's ``results`` block only, when it has one."""
    return web.render(request, template, who, status=status, nav=nav_counts(request, who),
                      **context)


def back(url: str, notice: str | None = None) -> RedirectResponse:
    """After a plain form POST: see the result with GET (303), a notice in the URL."""
    if notice:
        url += ("&" if "?" in url else "?") + f"done={notice}"
    return RedirectResponse(url, status_code=303)
