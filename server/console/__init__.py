"""The HR console: server-rendered pages under /console on the sync API's app.

Layout: ``auth/`` (passwords at login, throttling, sessions, CSRF, roles on sites),
``pages/`` (one route module per page), ``templates/`` (Jinja2, one folder per page),
``static/`` (htmx and the style sheet). Pages change data only through
``server.actions``, the functions the CLI calls too, so every change reaches the
change log (terminals) and the audit log.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.console import logs, web
from server.console.auth.access import Denied, Principal
from server.console.deps import CsrfRefused, LoginRequired, viewer
from server.console.frame import page
from server.console.pages import (
    audit,
    broadcasts,
    compose,
    contacts,
    fleet,
    groups,
    login,
    moderation,
    people,
    people_import,
    person,
    punches,
    site_settings,
)
from server.repo import NotFound, Refused

PREFIX = web.PREFIX
PAGES = (login, people, people_import, person, contacts, groups, moderation, compose, broadcasts,
         punches, audit, site_settings, fleet)


def _for_console(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


def _error_page(request: Request, status: int) -> HTMLResponse:
    """The error in the caller's frame and language when logged in, else bare."""
    try:
        who: Principal | None = viewer(request)
    except LoginRequired:
        who = None
    _ = web.words(who)
    titles = {403: _("Not allowed"), 404: _("Not found"), 400: _("Bad request")}
    texts = {403: _("Your role does not give access to this page or action."),
             404: _("This page does not exist, or it is not one of your sites'."),
             400: _("The request could not be understood.")}
    context = {"title": titles.get(status, _("Error")), "text": texts.get(status, "")}
    if who is None:
        return web.render(request, "error.html", None, status=status, **context)
    return page(request, who, "error.html", status=status, **context)


def install(app: FastAPI) -> None:
    """Add the console's routes, static files and error pages to ``app``."""
    logs.install()
    for module in PAGES:
        # HTML pages, not part of the sync API's OpenAPI description.
        app.include_router(module.router, prefix=PREFIX, include_in_schema=False)
    app.mount(PREFIX + "/static", StaticFiles(directory=Path(__file__).with_name("static")),
              name="console-static")

    async def login_required(request: Request, _exc: Exception) -> Response:
        target = f"{PREFIX}/login?next={request.url.path}"
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def denied(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Denied)
        return await run_in_threadpool(_error_page, request, exc.status)

    async def csrf_refused(request: Request, _exc: Exception) -> Response:
        return await run_in_threadpool(_error_page, request, 403)

    json_refused = app.exception_handlers[Refused]

    async def refused(request: Request, exc: Exception) -> Response:
        # An id of nothing (NotFound), or a rule the pages' own checks did not catch:
        # an error page, never a 500 and never JSON.
        if _for_console(request):
            return await run_in_threadpool(_error_page, request,
                                           404 if isinstance(exc, NotFound) else 400)
        return await json_refused(request, exc)

    json_http = app.exception_handlers[StarletteHTTPException]
    json_invalid = app.exception_handlers[RequestValidationError]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _for_console(request) and exc.status_code in (400, 403, 404, 405):
            return await run_in_threadpool(
                _error_page, request, 404 if exc.status_code == 405 else exc.status_code)
        return await json_http(request, exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        # A path parameter that is not a number: no such page.
        if _for_console(request):
            return await run_in_threadpool(_error_page, request, 404)
        return await json_invalid(request, exc)

    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(Denied, denied)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
