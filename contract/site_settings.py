"""The rules for the site settings HR or site IT set on the server for every terminal of
a site: which keys, and which values each allows, written once.

The server checks an admin's value with ``check`` before storing it (and names the
option in its error); the terminal checks its own TOML config with the same rules
(``config_check``: "5 to 600" is written here only) and checks the pulled values again
when it applies them (``kiosk.settings.site_settings``): a newer or misconfigured server must
never stop a terminal.

Wire keys are those of the pull's ``site_settings`` change. ``None`` (or a missing key)
means "not set on the server: each terminal keeps its config".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from contract.languages import LANGUAGES
from contract.pin import is_pin_hash


class PunchMode(StrEnum):
    AUTO = "auto"  # a badge records IN or OUT, chosen from the worker's last punch
    MESSAGES_ONLY = "messages_only"  # a badge opens the worker's messages, records no punch


# The terminal's colour themes (kiosk.ui.theme.PALETTES): "dark", the default, and "light",
# high contrast for brightly lit shop floors.
THEMES = ("dark", "light")

MAX_QUICK_REPLIES = 6  # chips on one row of the message screen at 800x480
MAX_QUICK_REPLY_CHARS = 40
MAX_ADMIN_BADGES = 50
MAX_BADGE_CHARS = 64


class SettingError(ValueError):
    """A site setting value outside what the terminal accepts; ``allowed`` says what is."""

    def __init__(self, key: str, allowed: str) -> None:
        super().__init__(f"{key}: not valid; allowed: {allowed}")
        self.key = key
        self.allowed = allowed


@dataclass(frozen=True)
class Rule:
    field: str  # of SiteSettings
    allowed: str  # for site IT, in error messages and logs
    to_wire: Callable[[Any], Any]  # raises ValueError/TypeError; returns the JSON form


def _int_in(lo: int, hi: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ValueError(value)
        return value
    return check


def _language(value: Any) -> str:
    if value not in LANGUAGES:
        raise ValueError(value)
    return str(value)


def _theme(value: Any) -> str:
    if value not in THEMES:
        raise ValueError(value)
    return str(value)


def _punch_mode(value: Any) -> str:
    return PunchMode(value).value


def _reply_list(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise TypeError(value)
    texts = [_reply(text) for text in value]
    if len(texts) > MAX_QUICK_REPLIES or len(set(texts)) != len(texts):
        raise ValueError(value)
    return texts


def _reply(text: Any) -> str:
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > MAX_QUICK_REPLY_CHARS:
        raise ValueError(text)
    return " ".join(text.split())  # one line: a chip has no room for a line break


def _quick_replies(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, Mapping):
        raise TypeError(value)
    return {_language(lang): _reply_list(texts) for lang, texts in value.items()}


def canonical_badge(badge: Any) -> str:
    """A badge id as readers report it: trimmed, upper case (hex ids compare equal)."""
    if not isinstance(badge, str):
        raise TypeError(badge)
    badge = badge.strip().upper()
    if not badge or len(badge) > MAX_BADGE_CHARS or any(c.isspace() for c in badge):
        raise ValueError(badge)
    return badge


def _badges(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise TypeError(value)
    badges = sorted({canonical_badge(b) for b in value})
    if len(badges) > MAX_ADMIN_BADGES:
        raise ValueError(value)
    return badges


def _pin_hash(value: Any) -> str:
    if not isinstance(value, str) or not is_pin_hash(value):
        raise ValueError("not a PIN hash")
    return value


RULES: dict[str, Rule] = {
    "idle_language": Rule("language", " or ".join(LANGUAGES), _language),
    "session_timeout_s": Rule("session_timeout_s", "a whole number of seconds from 5 to 600",
                              _int_in(5, 600)),
    "punch_undo_s": Rule("punch_undo_s", "a whole number of seconds from 0 to 60",
                         _int_in(0, 60)),
    "notice_s": Rule("notice_s", "a whole number of seconds from 1 to 30", _int_in(1, 30)),
    "punch_mode": Rule("punch_mode", " or ".join(m.value for m in PunchMode), _punch_mode),
    "theme": Rule("theme", " or ".join(THEMES), _theme),
    "quick_replies": Rule(
        "quick_replies",
        f"per language ({', '.join(LANGUAGES)}): up to {MAX_QUICK_REPLIES} different texts "
        f"of 1 to {MAX_QUICK_REPLY_CHARS} characters", _quick_replies),
    "admin_badges": Rule("admin_badges",
                         f"up to {MAX_ADMIN_BADGES} badge ids of 1 to {MAX_BADGE_CHARS} "
                         "characters, without spaces", _badges),
    "admin_pin_hash": Rule("admin_pin_hash", "a PIN hash made by contract.pin.hash_pin",
                           _pin_hash),
}
WIRE_KEYS = tuple(RULES)


def check(key: str, value: Any) -> Any:
    """``value`` in its stored (JSON) form, or SettingError naming ``key`` and what is allowed."""
    rule = RULES[key]
    try:
        return rule.to_wire(value)
    except (TypeError, ValueError):
        raise SettingError(key, rule.allowed) from None


def config_check(key: str) -> Callable[[Any], bool]:
    """The rule of ``key`` as a yes/no test, for the terminal's config of the same value."""
    rule = RULES[key]

    def allowed(value: Any) -> bool:
        try:
            rule.to_wire(value)
        except (TypeError, ValueError):
            return False
        return True

    return allowed
