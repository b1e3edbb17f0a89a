"""FastAPI dependencies of the console: who is asking (``viewer``), and for a state
change, also the submitted form with its CSRF checks passed (``submission``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from server.config import ConsoleSettings
from server.console.auth import csrf, sessions
from server.console.auth.access import Principal
from server.db import Database
from server.repo import accounts, directory
from server.repo.audit import Actor


class LoginRequired(Exception):
    """No live session: the login page, then back here."""


class CsrfRefused(Exception):
    """A state change without this session's token, or from another origin."""


def db_of(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def settings_of(request: Request) -> ConsoleSettings:
    return request.app.state.settings.console  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def load_principal(db: Database, session: sessions.Session) -> Principal:
    with db.read() as conn:
        account = accounts.get_account(conn, session.account_id)
        roles = tuple(accounts.roles_of(conn, account.id))
        site_names = {row.id: row.name for row in directory.list_sites(conn)}
    return Principal(account.id, account.email, account.name, account.language, roles,
                     session.id, session.csrf_token, site_names)


def viewer(request: Request) -> Principal:
    """The logged-in caller (any role), or LoginRequired."""
    db = db_of(request)
    session = sessions.resume(db, settings_of(request), request.cookies.get(sessions.COOKIE))
    if session is None:
        raise LoginRequired
    return load_principal(db, session)


@dataclass(frozen=True)
class Submission:
    """A state change that passed the session, origin and token checks."""

    who: Principal
    form: FormData

    def text(self, name: str, default: str = "") -> str:
        value = self.form.get(name, default)
        return value.strip() if isinstance(value, str) else default

    def ints(self, name: str) -> list[int]:
        """Every value of a repeated field that is a whole number (others are ignored)."""
        out = []
        for value in self.form.getlist(name):
            if isinstance(value, str) and value.strip().isdigit():
                out.append(int(value))
        return out

    def flag(self, name: str) -> bool:
        return self.form.get(name) in ("on", "true", "1", "yes")


async def submission(request: Request) -> Submission:
    who = await run_in_threadpool(viewer, request)
    if not csrf.same_origin(request):
        raise CsrfRefused
    form = await request.form()
    if not csrf.token_ok(request, form, who.csrf_token):
        raise CsrfRefused
    return Submission(who, form)


def actor_of(who: Principal) -> Actor:
    """How the audit log names a console user."""
    return Actor(f"console:{who.email}", who.account_id)


# Parameter types of the routes: ``who: Viewer`` for a page, ``sent: Sent`` for a change.
Viewer = Annotated[Principal, Depends(viewer)]
Sent = Annotated[Submission, Depends(submission)]
