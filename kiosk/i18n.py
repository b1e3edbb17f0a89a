"""Translations and local date/time formats for the screens, without Kivy.

Catalogs are gettext ``.mo`` files under ``locale/<lang>/LC_MESSAGES/kiosk.mo``
(sources: the ``.po`` files beside them; ``python tools/i18n.py update`` and
``compile`` keep both in step).  English is the source language: a missing
catalog or entry shows the English text, never an error.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from functools import cache
from pathlib import Path

from contract.languages import LANGUAGES

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"

# Day and month names (CLDR wide and abbreviated forms) for the languages the
# terminal speaks: a few tables instead of a locale library that would cost
# the terminal 20 ms and 4 MiB at every start.
_DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
_DAYS_SHORT = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}
_MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct",
           "nov", "déc"),
}


def supported(lang: str) -> str:
    """The language to use for ``lang``: itself if the terminal speaks it, else English."""
    return lang if lang in LANGUAGES else SOURCE_LANGUAGE


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (English text where a translation is missing)."""
    return gettext.translation(
        DOMAIN, LOCALE_DIR, languages=[supported(lang)], fallback=True
    )


def format_clock(moment: datetime) -> str:
    """HH:MM in local time: how the terminal shows every time of day."""
    return moment.astimezone().strftime("%H:%M") if moment.tzinfo else moment.strftime("%H:%M")


def format_long_date(day: date, lang: str) -> str:
    """The idle screen's date: 'Thursday, November 27, 2025' / 'Jeudi 27 novembre 2025'."""
    lang = supported(lang)
    weekday, month = _DAYS[lang][day.weekday()], _MONTHS[lang][day.month - 1]
    if lang == "fr":
        text = f"{weekday} {day.day} {month} {day.year}"
    else:
        text = f"{weekday}, {month} {day.day}, {day.year}"
    return text[:1].upper() + text[1:]


def format_when(moment: datetime, now: datetime, lang: str) -> str:
    """When a message was sent, as short as is clear: '14:05', 'Yesterday 14:05', '24 Nov'."""
    local = moment.astimezone() if moment.tzinfo else moment
    today = (now.astimezone() if now.tzinfo else now).date()
    clock = format_clock(local)
    days = (today - local.date()).days
    if days <= 0:
        return clock
    if days == 1:
        return translator(lang).gettext("Yesterday {time}").format(time=clock)
    lang = supported(lang)
    if days < 7:
        weekday = _DAYS_SHORT[lang][local.weekday()]
        return f"{weekday[:1].upper()}{weekday[1:]} {clock}"
    return f"{local.day} {_MONTHS_SHORT[lang][local.month - 1]}"



def N_(message: str) -> str:  # noqa: N802 - the gettext convention extraction looks for
    """Mark a string for the catalog without translating it yet."""
    return message


# The default quick replies; site settings may replace the list later, so the
# screens ask ``quick_replies`` and never hold their own.
DEFAULT_QUICK_REPLIES = (N_("OK"), N_("Thanks"), N_("On my way"), N_("I can't"))


def quick_replies(lang: str, replies: tuple[str, ...] = DEFAULT_QUICK_REPLIES) -> list[str]:
    """One-tap answers in ``lang`` (English where the catalog lacks one)."""
    catalog = translator(lang)
    return [catalog.gettext(text) for text in replies]
