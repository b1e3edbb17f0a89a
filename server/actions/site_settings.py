"""Site settings (what every terminal of a site follows), with their audit entries.

The admin PIN's hash and the admin badge ids are credentials at a terminal: the audit
log notes only whether a PIN is set and how many admin badges there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.engine import Connection

from server.repo import site_settings
from server.repo.audit import Actor, record

State = dict[str, Any]


def _audited(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[State, State]:
    """The audit's view of both states: no PIN hash and no badge id, only that they
    changed."""
    old = {k: v for k, v in before.items() if k != "updated_at"}
    new = {k: v for k, v in after.items() if k != "updated_at"}
    pin_before, pin_after = before.get("admin_pin_hash"), after.get("admin_pin_hash")
    old["admin_pin_hash"] = "set" if pin_before else None
    new["admin_pin_hash"] = ("changed" if pin_before and pin_after != pin_before else "set") \
        if pin_after else None
    for state, values in ((old, before), (new, after)):
        badges = values.get("admin_badges")
        state["admin_badges"] = len(badges) if badges is not None else None
    if before.get("admin_badges") != after.get("admin_badges") and \
            old["admin_badges"] == new["admin_badges"]:
        new["admin_badges"] = f"{new['admin_badges']} (changed)"
    return old, new


def update(conn: Connection, actor: Actor, site_id: int, values: Mapping[str, Any],
           unset: Iterable[str] = ()) -> dict[str, Any]:
    """Check and store ``values`` (wire keys), clear ``unset``; terminals pull the result.
    Refused ``invalid_setting`` / ``unknown_setting`` names the key."""
    before = site_settings.get(conn, site_id)
    after = site_settings.update_settings(conn, site_id, values, unset)
    old, new = _audited(before, after)
    if old != new:
        record(conn, actor, "site_settings.update", "site", site_id, old, new, site_id)
    return after
