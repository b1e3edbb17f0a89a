"""Site settings: what HR or site IT sets once for every terminal of a site.

The terminal's TOML config gives the starting values; the server's
``site_settings`` change (pulled like the rest of the directory) overrides them,
and the running terminal applies the result without a restart.

This module is the contract between the sync (which stores the server's
values), the core (session timeouts, punch mode, admin badges) and the screens
(language, quick replies, theme).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from contract.site_settings import RULES, PunchMode, SettingError, check
from kiosk.i18n import quick_replies, supported

log = logging.getLogger(__name__)

__all__ = ["PunchMode", "SiteSettings"]


@dataclass(frozen=True)
class SiteSettings:
    language: str = "fr"  # of the idle screen and the notices
    session_timeout_s: int = 30
    punch_undo_s: int = 8
    notice_s: int = 4
    punch_mode: PunchMode = PunchMode.AUTO
    theme: str = "dark"  # contract.site_settings.THEMES: the screens' colours
    # Per language; a language missing here uses the built-in ones (kiosk.i18n.quick_replies).
    quick_replies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Canonical badge ids that open the admin screen (not in repr: ids stay out of logs).
    admin_badges: frozenset[str] = field(default=frozenset(), repr=False)
    admin_pin_hash: str = field(default="", repr=False)  # contract.pin format; "" = no PIN set

    @classmethod
    def from_config(cls, config: Any) -> SiteSettings:
        """The values of the terminal's own config (before any server setting)."""
        return cls(
            language=str(config["terminal.language"]),
            session_timeout_s=int(config["terminal.session_timeout_s"]),
            punch_undo_s=int(config["terminal.punch_undo_s"]),
            notice_s=int(config["terminal.notice_s"]),
            theme=str(config["display.theme"]),
            admin_badges=frozenset(b.strip().upper() for b in config["admin.badges"]),
            admin_pin_hash=str(config["admin.pin_hash"]),
        )

    def with_server(self, stored: Mapping[str, Any] | None) -> SiteSettings:
        """These (config) values with every usable server value laid over them.

        A value the terminal cannot use (``contract.site_settings`` rules) is logged by
        key (never its value: it may be a badge id or a PIN hash) and ignored; the config
        keeps that setting.
        """
        if not stored:
            return self
        values: dict[str, Any] = {}
        for key, rule in RULES.items():
            raw = stored.get(key)
            if raw is None:
                continue
            try:
                wire = check(key, raw)
            except SettingError:
                log.warning("site setting %s from the server ignored: not %s", key,
                            rule.allowed)
                continue
            values[rule.field] = _to_field(key, wire)
        if "quick_replies" in values:  # per language: the config's other languages stay
            values["quick_replies"] = {**self.quick_replies, **values["quick_replies"]}
        return replace(self, **values)

    def replies_for(self, lang: str) -> list[str]:
        """The quick replies for a worker reading ``lang``: the site's, else the built-in."""
        site = self.quick_replies.get(supported(lang))
        return list(site) if site is not None else quick_replies(lang)


def _to_field(key: str, wire: Any) -> Any:
    if key == "punch_mode":
        return PunchMode(wire)
    if key == "quick_replies":
        return {lang: tuple(texts) for lang, texts in wire.items()}
    if key == "admin_badges":
        return frozenset(wire)
    return wire
