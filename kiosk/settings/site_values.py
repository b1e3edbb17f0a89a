"""The server's site settings as the sync stored them on the terminal: reading the row.

``kiosk.sync.apply`` writes the pulled ``site_settings`` change, as JSON, into the
``sync_state`` row ``STATE_KEY``; the core reads it back here and lays it over the
config's values (``kiosk.settings.site_settings.SiteSettings.with_server``, with the rules of
``contract.site_settings``).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

log = logging.getLogger(__name__)

STATE_KEY = "site_settings"  # the sync_state row kiosk.sync.apply writes


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
