"""Punching without the cache's key: badge -> employee as salted hashes of badge ids.

The punch store keeps ``badge_keys`` (``kiosk.storage.migrations``): for each badge, a
scrypt hash of its id under a salt of this terminal, and what a punch and its welcome
need (employee id, whether badge and employee are active, language, role). A thief with
the disk reads no badge id: the salt defeats tables made in advance, and scrypt makes
trying every id of a 40-bit EM4100 space one by one cost years of CPU per terminal.

The table is rebuilt from the cache's directory after each change of it (a pull, the
demo's seed, a badge given on the admin screen), with the key there; ``badge_memo``
(in the cache) keeps each badge's hash so that only new badges are hashed. A pull
copies the hashes it has within its page's transaction and hashes new badges after the
pages, outside them (``hash_new_badges``).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading

import sqlite_utils

from kiosk.storage import background_transaction

# ~2 ms on a desktop core, ~10 ms on a Raspberry Pi 4: paid once per new badge at a
# pull, and once per badge shown while the cache is locked (never when it is open).
SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES = 2**10, 8, 1, 16
HASH_CHUNK = 100  # badges hashed between two short transactions (~0.2 s here)
_UNHASHED = ("SELECT b.badge FROM badges b LEFT JOIN badge_memo h ON h.badge = b.badge "
             "WHERE h.badge IS NULL")


def badge_hash(salt: bytes, badge: str) -> bytes:
    return hashlib.scrypt(badge.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                          p=SCRYPT_P, dklen=HASH_BYTES)


def terminal_salt(conn: sqlite3.Connection) -> bytes:
    row = conn.execute("SELECT value FROM main.sync_state WHERE key = 'badge_salt'").fetchone()
    return bytes.fromhex(row[0])


def refresh_badge_keys(conn: sqlite3.Connection) -> None:
    """Rebuild ``badge_keys`` from the directory, inside the caller's transaction (the one
    that changed the directory): hash the badges not hashed yet, then copy. For a few
    badges (the demo's seed, one given on the admin screen); a pull hashes outside its
    transactions (``hash_new_badges``)."""
    salt = terminal_salt(conn)
    new = conn.execute(_UNHASHED).fetchall()
    conn.executemany("INSERT INTO badge_memo (badge, hash) VALUES (?, ?)",
                     [(badge, badge_hash(salt, badge)) for (badge,) in new])
    copy_badge_keys(conn)


def copy_badge_keys(conn: sqlite3.Connection) -> None:
    """Rebuild ``badge_keys`` from the directory and the hashes made so far (a badge not
    hashed yet is left out until it is), inside the caller's transaction."""
    conn.execute("DELETE FROM badge_memo WHERE badge NOT IN (SELECT badge FROM badges)")
    conn.execute("DELETE FROM main.badge_keys")
    conn.execute(
        "INSERT INTO main.badge_keys (hash, employee_id, active, employee_active, language, "
        "role) SELECT h.hash, b.employee_id, b.active, e.active, e.language, e.role "
        "FROM badges b JOIN badge_memo h ON h.badge = b.badge "
        "JOIN employees e ON e.id = b.employee_id")


def hash_new_badges(db: sqlite_utils.Database, stop: threading.Event | None = None,
                    chunk: int = HASH_CHUNK) -> int:
    """Hash the directory's badges not hashed yet, ``chunk`` at a time, outside any
    transaction, each chunk then stored in a short one: a site's 2,000 badges cost about
    4 s of CPU here (20 s on a Raspberry Pi 4), which a pulled page's transaction must
    not hold the database for (a punch waits behind it). How many were hashed."""
    salt = terminal_salt(db.conn)
    hashed = 0
    while stop is None or not stop.is_set():
        new = db.execute(f"{_UNHASHED} LIMIT ?", (chunk,)).fetchall()
        if not new:
            break
        rows = [(badge, badge_hash(salt, badge)) for (badge,) in new]
        with background_transaction(db) as conn:
            conn.executemany("INSERT OR IGNORE INTO badge_memo (badge, hash) VALUES (?, ?)",
                             rows)
            copy_badge_keys(conn)
        hashed += len(rows)
    return hashed


def locked_badge_owner(conn: sqlite3.Connection, badge: str) -> tuple | None:
    """(employee_id, badge active, employee active, language, role) of the badge's
    holder, read from the hashes alone; None for a badge this terminal does not know."""
    return conn.execute(
        "SELECT employee_id, active, employee_active, language, role FROM main.badge_keys "
        "WHERE hash = ?", (badge_hash(terminal_salt(conn), badge),)).fetchone()
