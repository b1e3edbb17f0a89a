"""Rendering: one Jinja2 environment (autoescaping on: any field shows as text), the
words of the caller's language, and the frame every page shares (nav counts, header)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.console import i18n
from server.console.auth.access import Principal

TEMPLATES = Path(__file__).with_name("templates")
PREFIX = "/console"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True, lstrip_blocks=True,
)
env.globals["PREFIX"] = PREFIX
env.globals["LANGUAGES"] = i18n.LANGUAGES


def _query(request: Request, **changes: Any) -> str:
    """This page's query string with some parameters changed (pagination, filters)."""
    # multi_items: a repeated parameter (the bulk page's chosen contacts) keeps every value.
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    params += [(k, v) for k, v in changes.items() if v not in (None, "")]
    return "?" + urlencode(params) if params else "?"


def render(request: Request, template: str, principal: Principal | None = None,
           status: int = 200, language: str | None = None, **context: Any) -> HTMLResponse:
    lang = language or (principal.language if principal else i18n.DEFAULT)
    words = i18n.translations(lang)

    def when(value: Any, timezone: str = "UTC") -> str:
        return i18n.local_time(value, timezone, lang)

    html = env.get_template(template).render(
        request=request, me=principal, lang=lang, _=words.gettext, gettext=words.gettext,
        ngettext=words.ngettext, when=when, query=lambda **kw: _query(request, **kw),
        path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def words(principal: Principal | None) -> Any:
    """gettext of the caller's language, for messages built in Python."""
    return i18n.translations(principal.language if principal else i18n.DEFAULT).gettext
