"""Log in, log out, and the account's language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from server.actions import accounts as account_actions
from server.console import i18n, web
from server.console.auth import csrf, login, sessions
from server.console.auth.access import MODERATE, READ, TERMINALS
from server.console.deps import (
    CsrfRefused,
    Sent,
    Viewer,
    actor_of,
    client_address,
    db_of,
    settings_of,
)
from server.console.frame import page

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of the console: never another site (an open redirect)."""
    if target and target.startswith(web.PREFIX + "/") and not target.startswith("//") \
            and "\\" not in target and "://" not in target:
        return target
    return web.PREFIX + "/"


@router.get("/login")
def login_form(request: Request, next: str = "", lang: str = "") -> Response:
    language = lang if lang in i18n.LANGUAGES else i18n.preferred(
        request.headers.get("accept-language", ""))
    return web.render(request, "login.html", None, language=language, next=_safe_next(next),
                      email="", message=None)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    if not csrf.same_origin(request):
        raise CsrfRefused
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    db, settings = db_of(request), settings_of(request)
    result = await run_in_threadpool(login.attempt, db, settings, email, password,
                                     client_address(request))
    if result.account_id is None:
        language = str(form.get("lang", ""))
        language = language if language in i18n.LANGUAGES else i18n.DEFAULT
        _ = i18n.translations(language).gettext
        messages = {
            "bad_credentials": _("Wrong e-mail address or password."),
            "locked": _("This account is locked after too many failed logins. "
                        "Ask an HR administrator to unlock it."),
            "wait": _("Too many failed logins. Try again in %(seconds)s seconds.")
            % {"seconds": result.wait_s},
        }
        status = 429 if result.refusal == "wait" else 401
        headers = {"Retry-After": str(result.wait_s)} if result.refusal == "wait" else None
        response = web.render(request, "login.html", None, status=status, next=target,
                              email=email, message=messages[result.refusal or ""],
                              language=language)
        if headers:
            response.headers.update(headers)
        return response
    token, _session = await run_in_threadpool(sessions.start, db, settings, result.account_id,
                                              client_address(request))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="strict",
                        secure=settings.tls, path=web.PREFIX,
                        max_age=int(settings.absolute_lifetime.total_seconds()))
    return response


@router.post("/logout")
def logout(request: Request, sent: Sent) -> Response:
    sessions.end(db_of(request), sent.who.session_id)
    response = RedirectResponse(web.PREFIX + "/login", status_code=303)
    response.delete_cookie(sessions.COOKIE, path=web.PREFIX)
    return response


@router.post("/account/language")
def language(request: Request, sent: Sent) -> Response:
    chosen = sent.text("language")
    if chosen in i18n.LANGUAGES and chosen != sent.who.language:
        with db_of(request).write() as conn:
            account_actions.set_language(conn, actor_of(sent.who), sent.who.account_id, chosen)
    return RedirectResponse(_safe_next(sent.text("next")), status_code=303)


@router.get("/")
def home(request: Request, who: Viewer) -> Response:
    if who.can(READ):
        return RedirectResponse(web.PREFIX + "/people", status_code=303)
    if who.can(MODERATE):
        return RedirectResponse(web.PREFIX + "/moderation", status_code=303)
    if who.can(TERMINALS):  # site IT: the fleet first
        return RedirectResponse(web.PREFIX + "/fleet", status_code=303)
    return page(request, who, "home.html")
