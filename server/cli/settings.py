"""`settings` commands: the site settings every terminal of a site follows without a restart.

    python -m server settings show --site 1
    python -m server settings set --site 1 --session-timeout 45 --punch-mode messages_only \\
        --quick-reply "fr:J'arrive" --quick-reply fr:Merci --admin-badge 0F00999999 --admin-pin -

A setting never set (or ``--unset``) is null: each terminal keeps its own config
value.  Values are checked with the terminals' rules; an error names the option,
the value and what is allowed.  The admin PIN is stored and sent only hashed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from contract.languages import LANGUAGES
from contract.pin import PinError, check_format, hash_pin
from contract.site_settings import RULES, THEMES, PunchMode, SettingError, check
from server.actions import site_settings as actions
from server.cli.common import Result, add_command
from server.db import Database
from server.repo import Refused, directory
from server.repo import site_settings as repo
from server.repo.audit import CLI

NOT_SET = "- (each terminal's config)"


def _whole(raw: str) -> int:
    return int(raw.strip())


# option -> (wire key, parse of the option's text); --quick-reply, --admin-badge and
# --admin-pin are gathered separately (repeatable, or secret).
SCALARS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "--language": ("idle_language", str),
    "--session-timeout": ("session_timeout_s", _whole),
    "--punch-undo": ("punch_undo_s", _whole),
    "--notice": ("notice_s", _whole),
    "--punch-mode": ("punch_mode", str),
    "--theme": ("theme", str),
}
UNSET_NAMES = {
    "language": "idle_language", "session-timeout": "session_timeout_s",
    "punch-undo": "punch_undo_s", "notice": "notice_s", "punch-mode": "punch_mode",
    "theme": "theme",
    "quick-replies": "quick_replies", "admin-badges": "admin_badges",
    "admin-pin": "admin_pin_hash",
}
UNSET_CHOICES = [*UNSET_NAMES, *(f"quick-replies:{lang}" for lang in LANGUAGES)]


def _invalid(option: str, raw: object, allowed: str) -> Refused:
    shown = f" {raw!r}" if raw is not None else ""
    return Refused("invalid_setting", f"{option}{shown} is not valid; allowed: {allowed}",
                   option=option)


def _checked(option: str, key: str, raw: object, value: Any) -> Any:
    try:
        return check(key, value)
    except SettingError as exc:
        raise _invalid(option, raw, exc.allowed) from None


def _quick_replies(texts: list[str], current: dict[str, list[str]] | None,
                   drop: set[str]) -> dict[str, list[str]] | None:
    """Each language given replaces that language's list; the others stay."""
    merged = {lang: list(v) for lang, v in (current or {}).items() if lang not in drop}
    given: dict[str, list[str]] = {}
    for text in texts:
        lang, sep, reply = text.partition(":")
        if not sep or lang not in LANGUAGES:
            raise _invalid("--quick-reply", text, f"LANG:TEXT with LANG one of "
                           f"{', '.join(LANGUAGES)}, e.g. \"fr:J'arrive\"")
        _checked("--quick-reply", "quick_replies", text, {lang: [reply]})
        given.setdefault(lang, []).append(reply)
    for lang, replies in given.items():  # too many, or the same twice
        _checked("--quick-reply", "quick_replies", f"{len(replies)} for {lang}", {lang: replies})
    merged.update(given)
    return merged or None


def _admin_pin(raw: str) -> str:
    pin = sys.stdin.readline().strip() if raw == "-" else raw.strip()
    try:
        return hash_pin(check_format(pin))
    except PinError as exc:
        raise _invalid("--admin-pin", None, str(exc)) from None  # never echo a PIN


def _values(a: argparse.Namespace, current: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    values: dict[str, Any] = {}
    for option, (key, parse) in SCALARS.items():
        raw = getattr(a, key)
        if raw is None:
            continue
        try:
            value = parse(raw)
        except ValueError:
            raise _invalid(option, raw, RULES[key].allowed) from None
        values[key] = _checked(option, key, raw, value)
    unset = {UNSET_NAMES[name] for name in a.unset if name in UNSET_NAMES}
    dropped = {name.split(":")[1] for name in a.unset if name.startswith("quick-replies:")}
    if a.quick_reply or dropped:
        replies = _quick_replies(a.quick_reply, current["quick_replies"], dropped)
        if replies is None:
            unset.add("quick_replies")
        else:
            values["quick_replies"] = replies
    if a.admin_badge:
        values["admin_badges"] = _checked("--admin-badge", "admin_badges", a.admin_badge,
                                          a.admin_badge)
    if a.admin_pin is not None:
        values["admin_pin_hash"] = _admin_pin(a.admin_pin)
    if a.staff_authority is not None:
        values["terminal_staff_authority"] = a.staff_authority == "on"
    if both := unset & set(values):
        option = next(o for o, k in UNSET_NAMES.items() if k in both)
        raise Refused("invalid_setting", f"--unset {option} and a new value for it: "
                      "give one of the two", option="--unset")
    return values, unset


def _shown(site: Any, values: dict[str, Any], as_json: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"site_id": site.id, "site_name": site.name}
    for key in RULES:
        if key == "admin_pin_hash":
            out["admin_pin_set"] = values[key] is not None  # the hash stays in the database
        else:
            out[key] = values[key]
    out["terminal_staff_authority"] = bool(values["terminal_staff_authority"])
    out["updated_at"] = values["updated_at"]
    if not as_json:
        out = {k: NOT_SET if v is None and k != "updated_at" else v for k, v in out.items()}
    return out


def _show(db: Database, a: argparse.Namespace) -> Result:
    with db.read() as conn:
        site = directory.get_site(conn, a.site)
        return _shown(site, repo.get(conn, a.site), a.json)


def _set(db: Database, a: argparse.Namespace) -> Result:
    with db.write() as conn:
        site = directory.get_site(conn, a.site)
        values, unset = _values(a, repo.get(conn, a.site))
        if not values and not unset:
            raise Refused("nothing_to_set", "give at least one setting to change "
                          "(see --help)")
        return _shown(site, actions.update(conn, CLI, a.site, values, unset), a.json)


def register(sub: Any) -> None:
    group = sub.add_parser(
        "settings", help="site settings the terminals follow (timeouts, quick replies...)",
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    p = add_command(group, "show", "show a site's settings (unset: terminal config)", _show)
    p.add_argument("--site", type=int, required=True, help="site id")
    p = add_command(group, "set", "change a site's settings; its terminals apply them "
                    "within seconds, without a restart", _set)
    p.add_argument("--site", type=int, required=True, help="site id")
    p.add_argument("--language", dest="idle_language", metavar="LANG",
                   help=f"idle screen and notices: {' or '.join(LANGUAGES)}")
    p.add_argument("--session-timeout", dest="session_timeout_s", metavar="S",
                   help="seconds without a touch before a session ends (5 to 600)")
    p.add_argument("--punch-undo", dest="punch_undo_s", metavar="S",
                   help="seconds to switch or undo a punch just recorded (0 to 60)")
    p.add_argument("--notice", dest="notice_s", metavar="S",
                   help="seconds a notice stays on screen (1 to 30)")
    p.add_argument("--punch-mode", dest="punch_mode", metavar="MODE",
                   help=f"{' or '.join(m.value for m in PunchMode)} (messages_only: a badge "
                        "opens the messages and records no punch)")
    p.add_argument("--theme", dest="theme", metavar="THEME",
                   help=f"the screens' colours: {' or '.join(THEMES)} (light: high contrast, "
                        "for brightly lit shop floors)")
    p.add_argument("--quick-reply", action="append", default=[], metavar="LANG:TEXT",
                   help="a one-tap answer, e.g. \"fr:J'arrive\"; repeat for several; "
                        "the replies given for a language replace that language's list")
    p.add_argument("--admin-badge", action="append", default=[], metavar="BADGE",
                   help="a badge that opens the admin screen; repeat for several; "
                        "replaces the list")
    p.add_argument("--admin-pin", metavar="PIN",
                   help="admin PIN, 6 to 8 digits, stored hashed; '-' reads it from stdin "
                        "(keeps it out of the shell history)")
    p.add_argument("--staff-authority", choices=("on", "off"),
                   help="on: HR and managers keep their authority when they write from this "
                        "site's terminals (HR past contact lists and moderation, "
                        "acknowledgements asked); off (the default): they write there as "
                        "any worker, and HR writes from the console")
    p.add_argument("--unset", action="append", default=[], choices=UNSET_CHOICES,
                   metavar="NAME", help="back to each terminal's config: "
                   + ", ".join(UNSET_CHOICES))
