"""Site settings: what HR or site IT set once for every terminal of a site.

Values are checked with the rules the terminals use too (``contract.site_settings``), keyed
by their wire names (the pull's ``site_settings`` change).  ``None`` is "not set
here": each terminal keeps its config value.  Every update records one change for
the site, so its terminals pull the new settings within a long-poll.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from contract.site_settings import RULES, SettingError, check
from server.db.schema import site_settings
from server.db.types import utcnow
from server.repo import Refused, changes, directory

# Wire key -> column; lists and maps are stored as JSON text.
COLUMNS = {key: "language" if key == "idle_language" else key for key in RULES}
_JSON = {"quick_replies", "admin_badges"}
# Settings the server applies itself and never sends to terminals: key -> column.
SERVER_ONLY = {"terminal_staff_authority": "terminal_staff_authority"}


def get(conn: Connection, site_id: int) -> dict[str, Any]:
    """Every setting of the site by wire key (None: not set), and ``updated_at``."""
    directory.get_site(conn, site_id)  # NotFound for an unknown site
    row = conn.execute(select(site_settings).where(site_settings.c.site_id == site_id)).first()
    values: dict[str, Any] = {"updated_at": row.updated_at if row else None}
    for key, column in COLUMNS.items():
        raw = getattr(row, column) if row else None
        values[key] = json.loads(raw) if raw is not None and key in _JSON else raw
    for key, column in SERVER_ONLY.items():
        values[key] = getattr(row, column) if row else None
    return values


def wire(conn: Connection, site_id: int) -> dict[str, Any]:
    """The settings as the pull sends them (wire keys only)."""
    values = get(conn, site_id)
    return {key: values[key] for key in COLUMNS}


def update_settings(conn: Connection, site_id: int, values: Mapping[str, Any],
                    unset: Iterable[str] = ()) -> dict[str, Any]:
    """Set ``values`` (wire keys; checked), clear the ``unset`` keys, note the change.

    Refused ``unknown_setting`` / ``invalid_setting`` names the key and what is allowed.
    """
    current = get(conn, site_id)
    row: dict[str, Any] = {}
    for key, value in values.items():
        if key in SERVER_ONLY:
            if not isinstance(value, bool):
                raise Refused("invalid_setting", f"{key} is true or false, not {value!r}",
                              setting=key)
            row[SERVER_ONLY[key]] = value
            continue
        if key not in RULES:
            raise Refused("unknown_setting", f"no site setting named {key!r}; known: "
                          f"{', '.join(RULES)}", setting=key)
        try:
            checked = check(key, value)
        except SettingError as exc:
            raise Refused("invalid_setting", str(exc), setting=key) from None
        row[COLUMNS[key]] = json.dumps(checked, ensure_ascii=False) if key in _JSON else checked
    for key in unset:
        if key not in RULES and key not in SERVER_ONLY:
            raise Refused("unknown_setting", f"no site setting named {key!r}", setting=key)
        row[COLUMNS.get(key) or SERVER_ONLY[key]] = None
    row["updated_at"] = utcnow()
    if current["updated_at"] is None:
        conn.execute(insert(site_settings).values(site_id=site_id, **row))
    else:
        conn.execute(update(site_settings).where(site_settings.c.site_id == site_id)
                     .values(**row))
    changes.record(conn, "site_settings", site_id, [site_id])
    return get(conn, site_id)
