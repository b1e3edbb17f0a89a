"""The rules for site settings set on the server, shared by the server and the terminal.

The server checks an admin's value with ``check`` before storing it (and names
the option in its error); the terminal checks again with ``merge`` when it
applies the stored ``site_settings`` change, because a newer or misconfigured
server must never stop a terminal: a value it cannot use is logged by key and
skipped, and the terminal keeps its own config value for it.

Wire keys are those of the pull's ``site_settings`` change.  ``None`` (or a
missing key) means "not set on the server: each terminal keeps its config".
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from kiosk.config import LANGUAGES
from kiosk.pin import is_pin_hash
from kiosk.site_settings import PunchMode, SiteSettings

log = logging.getLogger(__name__)

MAX_QUICK_REPLIES = 6  # chips on one row of the message screen at 800x480
MAX_QUICK_REPLY_CHARS = 40
MAX_ADMIN_BADGES = 50
MAX_BADGE_CHARS = 64
STATE_KEY = "site_settings"  # the sync_state row sync.apply writes


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
    "quick_replies": Rule(
        "quick_replies",
        f"per language ({', '.join(LANGUAGES)}): up to {MAX_QUICK_REPLIES} different texts "
        f"of 1 to {MAX_QUICK_REPLY_CHARS} characters", _quick_replies),
    "admin_badges": Rule("admin_badges",
                         f"up to {MAX_ADMIN_BADGES} badge ids of 1 to {MAX_BADGE_CHARS} "
                         "characters, without spaces", _badges),
    "admin_pin_hash": Rule("admin_pin_hash", "a PIN hash made by kiosk.pin.hash_pin",
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


def _to_field(key: str, wire: Any) -> Any:
    if key == "punch_mode":
        return PunchMode(wire)
    if key == "quick_replies":
        return {lang: tuple(texts) for lang, texts in wire.items()}
    if key == "admin_badges":
        return frozenset(wire)
    return wire


def merge(base: SiteSettings, stored: Mapping[str, Any] | None) -> SiteSettings:
    """``base`` (the terminal's config) with every usable server value laid over it.

    A value the terminal cannot use is logged by key (never its value: it may be a
    badge id or a PIN hash) and ignored; ``base`` keeps that setting.
    """
    if not stored:
        return base
    values: dict[str, Any] = {}
    for key, rule in RULES.items():
        raw = stored.get(key)
        if raw is None:
            continue
        try:
            wire = check(key, raw)
        except SettingError:
            log.warning("site setting %s from the server ignored: not %s", key, rule.allowed)
            continue
        values[rule.field] = _to_field(key, wire)
    if "quick_replies" in values:  # per language: the config's other languages stay
        values["quick_replies"] = {**base.quick_replies, **values["quick_replies"]}
    return replace(base, **values)


def read_stored(conn: sqlite3.Connection) -> str | None:
    """The server's last site_settings change as stored by the sync (JSON), if any."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (STATE_KEY,)).fetchone()
    return row[0] if row else None


def parse_stored(raw: str | None) -> dict[str, Any]:
    """The stored change as a dict; a damaged row counts as "nothing set" (and is logged)."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        log.warning("stored site settings unreadable: using the config's values")
        return {}
    if not isinstance(value, dict):
        log.warning("stored site settings unreadable: using the config's values")
        return {}
    return value
