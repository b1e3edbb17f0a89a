"""Wrong admin PINs counted on disk, so that a restart (pulling the plug) does not give
a thief new tries: three wrong PINs lock the pad for a minute, and each lockout in a row
doubles it, up to an hour. Kept in the punch store (``sync_state``), read and written on
the core worker with the PIN check itself."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass

MAX_WRONG = 3
FIRST_LOCKOUT_S = 60.0
MAX_LOCKOUT_S = 3600.0
_KEY = "admin_pin_lockout"


@dataclass
class LockoutState:
    wrong: int = 0  # wrong PINs since the last right one or the last lockout
    strikes: int = 0  # lockouts in a row (a right PIN resets it)
    until: float = 0.0  # Unix time the pad stays locked until


def _load(conn: sqlite3.Connection) -> LockoutState:
    row = conn.execute("SELECT value FROM main.sync_state WHERE key = ?", (_KEY,)).fetchone()
    try:
        return LockoutState(**json.loads(row[0])) if row else LockoutState()
    except (TypeError, ValueError):
        return LockoutState(until=time.time() + FIRST_LOCKOUT_S)  # damaged: err on locked


def _save(conn: sqlite3.Connection, state: LockoutState) -> None:
    conn.execute("INSERT INTO main.sync_state (key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 (_KEY, json.dumps(asdict(state))))


def locked_for(conn: sqlite3.Connection, now: float | None = None) -> float:
    """Seconds the PIN pad stays locked (0: a PIN may be checked)."""
    now = time.time() if now is None else now
    return max(0.0, _load(conn).until - now)


def record(conn: sqlite3.Connection, ok: bool, now: float | None = None) -> None:
    """Count one PIN tried, inside the caller's transaction."""
    now = time.time() if now is None else now
    state = _load(conn)
    if ok:
        state = LockoutState()
    else:
        state.wrong += 1
        if state.wrong >= MAX_WRONG:
            state.until = now + min(MAX_LOCKOUT_S, FIRST_LOCKOUT_S * 2 ** state.strikes)
            state.strikes, state.wrong = state.strikes + 1, 0
    _save(conn, state)
