"""The console's words in the account's language (gettext catalogs
``locale/<lang>/LC_MESSAGES/console.mo``) and times in a site's time zone."""

from __future__ import annotations

import gettext
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
DOMAIN = "console"
LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT = "en"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language``; English (the source strings) when there is none."""
    lang = language if language in LANGUAGES else DEFAULT
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def preferred(accept_language: str) -> str:
    """The first of the browser's languages the console speaks (before login, when no
    account says which)."""
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(when: datetime | None, timezone: str, language: str) -> str:
    """``when`` in the site's zone: "05/12/2026 14:03" in French, "2026-12-05 14:03" in
    English (unambiguous for both readers), with the zone's abbreviation."""
    if when is None:
        return ""
    local = when.astimezone(_zone(timezone))
    pattern = "%d/%m/%Y %H:%M" if language == "fr" else "%Y-%m-%d %H:%M"
    return f"{local.strftime(pattern)} {local.tzname() or ''}".strip()
