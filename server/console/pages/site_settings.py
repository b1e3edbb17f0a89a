"""Site settings: what every terminal of a site follows (timeouts, punch mode, theme,
quick replies per language, admin badges, admin PIN).

Site IT and HR admins, for their sites. Values are checked with the terminals' own
rules (``contract.site_settings``, ``contract.pin``) and saved through
``server.actions.site_settings``: the change log tells the site's terminals, the audit
log keeps who changed what (never the PIN nor a badge id). The PIN is typed, never
shown, and stored as a hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from contract.languages import LANGUAGES
from contract.pin import PinError, check_format, hash_pin
from contract.site_settings import (
    MAX_ADMIN_BADGES,
    MAX_QUICK_REPLIES,
    MAX_QUICK_REPLY_CHARS,
    THEMES,
    PunchMode,
    SettingError,
    check,
)
from server.actions import site_settings as actions
from server.console import web
from server.console.auth.access import TERMINALS, Principal
from server.console.deps import Sent, Submission, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.repo import directory
from server.repo import site_settings as repo

router = APIRouter()
NUMBERS = {"session_timeout_s": (5, 600), "punch_undo_s": (0, 60), "notice_s": (1, 30)}


@dataclass
class SettingsForm:
    """The form's text, as typed; ``values``/``unset`` once read and checked."""

    text: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    unset: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, current: dict[str, Any]) -> SettingsForm:
        text = {key: "" if current[key] is None else str(current[key])
                for key in ("idle_language", "punch_mode", "theme", *NUMBERS)}
        for lang in LANGUAGES:
            text[f"replies_{lang}"] = "\n".join((current["quick_replies"] or {}).get(lang, []))
        text["admin_badges"] = "\n".join(current["admin_badges"] or [])
        return cls(text)


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


def read_form(sent: Submission, current: dict[str, Any]) -> SettingsForm:
    """Every field checked with the terminals' rules; errors in the caller's language."""
    _ = web.words(sent.who)
    form = SettingsForm({key: sent.text(key) for key in (
        "idle_language", "punch_mode", "theme", *NUMBERS, "admin_badges",
        *(f"replies_{lang}" for lang in LANGUAGES))})
    for key, (low, high) in NUMBERS.items():
        raw = form.text[key]
        if not raw:
            form.unset.add(key)
        elif raw.isdigit() and low <= int(raw) <= high:
            form.values[key] = int(raw)
        else:
            form.errors[key] = _("A whole number from %(low)s to %(high)s.") % {
                "low": low, "high": high}
    for key, allowed in (("idle_language", LANGUAGES), ("punch_mode", list(PunchMode)),
                         ("theme", THEMES)):
        raw = form.text[key]
        if not raw:
            form.unset.add(key)
        elif raw in allowed:
            form.values[key] = raw
        else:
            form.errors[key] = _("Choose one of the options.")
    replies: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        texts = _lines(form.text[f"replies_{lang}"])
        try:
            if texts:
                replies[lang] = check("quick_replies", {lang: texts})[lang]
        except SettingError:
            form.errors[f"replies_{lang}"] = _(
                "Up to %(n)s different replies, one a line, of at most %(chars)s characters."
            ) % {"n": MAX_QUICK_REPLIES, "chars": MAX_QUICK_REPLY_CHARS}
    if replies:
        form.values["quick_replies"] = replies
    else:
        form.unset.add("quick_replies")
    badges = _lines(form.text["admin_badges"])
    try:
        if badges:
            form.values["admin_badges"] = check("admin_badges", badges)
        else:
            form.unset.add("admin_badges")
    except SettingError:
        form.errors["admin_badges"] = _(
            "Up to %(n)s badge ids, one a line, without spaces.") % {"n": MAX_ADMIN_BADGES}
    _read_pin(sent, form, current)
    return form


def _read_pin(sent: Submission, form: SettingsForm, current: dict[str, Any]) -> None:
    _ = web.words(sent.who)
    pin, again = sent.text("admin_pin"), sent.text("admin_pin_again")
    if sent.flag("remove_pin"):
        if pin:
            form.errors["admin_pin"] = _("Type a new PIN or remove it, not both.")
        elif current["admin_pin_hash"] is not None:
            form.unset.add("admin_pin_hash")
        return
    if not pin and not again:
        return  # unchanged
    try:
        check_format(pin)
    except PinError:
        form.errors["admin_pin"] = _("A PIN is 4 to 8 digits.")
        return
    if pin != again:
        form.errors["admin_pin_again"] = _("The two PINs differ.")
        return
    form.values["admin_pin_hash"] = hash_pin(pin)


def _site(request: Request, who: Principal, site_id: int) -> Any:
    who.require(TERMINALS, site_id)
    with db_of(request).read() as conn:
        return directory.get_site(conn, site_id)


def _show(request: Request, who: Principal, site: Any, form: SettingsForm,
          current: dict[str, Any], status: int = 200) -> Response:
    _ = web.words(who)
    return page(request, who, "settings/site.html", status=status, site=site, form=form,
                pin_set=current["admin_pin_hash"] is not None,
                updated_at=current["updated_at"], numbers=NUMBERS,
                languages={"fr": "Français", "en": "English"},
                modes={"auto": _("Badge-in records IN or OUT"),
                       "messages_only": _("Messages only: a badge records no punch")},
                themes={"dark": _("Dark"), "light": _("Light (high contrast, for bright "
                                                      "shop floors)")})


@router.get("/settings")
def site_list(request: Request, who: Viewer) -> Response:
    who.require(TERMINALS)
    scope = who.sites(TERMINALS)
    with db_of(request).read() as conn:
        rows = [(site, repo.get(conn, site.id)) for site in directory.list_sites(conn)
                if scope is None or site.id in scope]
    return page(request, who, "settings/list.html", rows=rows)


@router.get("/settings/{site_id}")
def show(request: Request, who: Viewer, site_id: int) -> Response:
    site = _site(request, who, site_id)
    with db_of(request).read() as conn:
        current = repo.get(conn, site_id)
    return _show(request, who, site, SettingsForm.of(current), current)


@router.post("/settings/{site_id}")
def save(request: Request, site_id: int, sent: Sent) -> Response:
    site = _site(request, sent.who, site_id)
    db = db_of(request)
    with db.read() as conn:
        current = repo.get(conn, site_id)
    form = read_form(sent, current)
    if form.errors:
        return _show(request, sent.who, site, form, current, status=422)
    with db.write() as conn:
        actions.update(conn, actor_of(sent.who), site_id, form.values, form.unset)
    return back(f"{web.PREFIX}/settings/{site_id}", "saved")
