"""Doctor check of the message cache: locked, unlocked, no key yet, or key refused.

The terminal keeps its cache key in RAM only, so the doctor (another process) asks the
server for it as the terminal does (``POST /v1/cache-key``, signed), tries it on the
cache file, read-only, and forgets it. The key is never printed, logged or written.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import requests

from kiosk.doctor.check import Check, failed, passed
from kiosk.storage import sqlite as sqlite_errors
from kiosk.storage.cache import cache_path
from kiosk.sync.credentials import Enrollment
from kiosk.sync.netdiag import diagnose_request_error

LOCKED = ("messages show 'available when the terminal is back online'; punches work "
          "without it")


def check_cache(session: requests.Session, url: str, enrollment: Enrollment, database: Path,
                timeout_s: float, *, reachable: bool,
                sign: object = None) -> Check:
    """``sign(request)``: signs the request as the terminal would (``kiosk.doctor.server``)."""
    if not reachable:
        return failed("cache", "warning", "message cache locked: the server cannot be reached "
                      f"for its key; {LOCKED}", "see the server check above")
    request = session.prepare_request(requests.Request(
        "POST", url + "/v1/cache-key", headers={"Authorization": f"Bearer {enrollment.token}"}))
    if callable(sign):
        sign(request)
    try:
        with session.send(request, timeout=(timeout_s, timeout_s)) as response:
            status, body = response.status_code, _json(response)
    except requests.RequestException as exc:
        problem = diagnose_request_error(exc, url)
        return failed("cache", "warning", f"message cache locked: {problem.message}; {LOCKED}",
                      problem.fix)
    code = str((body.get("error") or {}).get("code", "")) if isinstance(body, dict) else ""
    if code == "terminal_revoked":
        return failed("cache", "error", "cache key refused: this terminal is revoked, its "
                      f"key was deleted with it; {LOCKED}",
                      "if this terminal should work, enroll it again with a new code")
    key_hex = body.get("key") if status == 200 and isinstance(body, dict) else None
    if not isinstance(key_hex, str) or len(key_hex) != 64:
        return failed("cache", "warning", f"message cache locked: the server did not give "
                      f"the key (HTTP {status} {code})".rstrip() + f"; {LOCKED}",
                      "see the token check above and the server's logs")
    return _tried(database, bytes.fromhex(key_hex))


def _tried(database: Path, key: bytes) -> Check:
    cache = cache_path(database)
    if not cache.exists() or cache.stat().st_size == 0:
        return passed("cache", "no key used yet: the server holds this terminal's cache key; "
                      "the terminal encrypts its message cache with it at its next start")
    if _opens(cache, key):
        return passed("cache", "message cache unlocked: the server gives this terminal its "
                      "key, and the key opens the cache (the key is never shown)")
    return failed("cache", "warning", "the server's key does not open the message cache (the "
                  "key was rotated, or the terminal enrolled again): the terminal drops the "
                  "cache and pulls everything again at its next start",
                  "nothing to do; messages return after the next start's first sync")


def _opens(cache: Path, key: bytes) -> bool:
    try:
        conn = sqlite_errors.connect(cache.resolve().as_uri() + "?mode=ro", uri=True,
                                     timeout=2.0)
    except sqlite_errors.Error:
        return False
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite_errors.Error:
        return False
    finally:
        with contextlib.suppress(sqlite_errors.Error):
            conn.close()


def _json(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
