"""Site settings: what HR or site IT sets once for every terminal of a site.

The terminal's TOML config gives the starting values; the server's
``site_settings`` change (pulled like the rest of the directory) overrides them,
and the running terminal applies the result without a restart.

This module is the contract between the sync (which stores the server's
values), the core (session timeouts, punch mode, admin badges) and the screens
(language, quick replies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class PunchMode(StrEnum):
    AUTO = "auto"  # a badge records IN or OUT, chosen from the worker's last punch
    MESSAGES_ONLY = "messages_only"  # a badge opens the worker's messages, records no punch


@dataclass(frozen=True)
class SiteSettings:
    language: str = "fr"  # of the idle screen and the notices
    session_timeout_s: int = 30
    punch_undo_s: int = 8
    notice_s: int = 4
    punch_mode: PunchMode = PunchMode.AUTO
    # Per language; a language missing here uses the built-in ones (kiosk.i18n.quick_replies).
    quick_replies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    admin_badges: frozenset[str] = frozenset()  # canonical badge ids that open the admin screen
    admin_pin_hash: str = field(default="", repr=False)  # kiosk.pin format; "" = no PIN set

    @classmethod
    def from_config(cls, config: Any) -> SiteSettings:
        """The values of the terminal's own config (before any server setting)."""
        return cls(
            language=str(config["terminal.language"]),
            session_timeout_s=int(config["terminal.session_timeout_s"]),
            punch_undo_s=int(config["terminal.punch_undo_s"]),
            notice_s=int(config["terminal.notice_s"]),
        )
