"""Admin PINs: stored and synced only as salted PBKDF2 hashes, checked in constant time.

Format: ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``.  A 4 to 8 digit PIN
has few values, so the hash alone would not stop a determined attacker who copied
the database; what protects a terminal is the lockout after wrong tries (the
screens) and the admin badge that must come first.  The hash keeps the PIN out of
config files, logs and the server's database in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import os

ALGORITHM = "pbkdf2_sha256"
# ~50 ms on a Raspberry Pi 4 class board: checked on the core worker, never the UI thread.
ITERATIONS = 60_000
# A hash from the server or a config is refused beyond this: each try runs on the core
# worker, and 10x the default already keeps badges waiting half a second on a Pi.
MIN_ITERATIONS, MAX_ITERATIONS = 1_000, 600_000
MIN_DIGITS, MAX_DIGITS = 4, 8


class PinError(ValueError):
    """A PIN that is not 4 to 8 digits, or a stored hash in an unknown format."""


def check_format(pin: str) -> str:
    if not (pin.isascii() and pin.isdigit() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
        raise PinError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    return pin


def hash_pin(pin: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    check_format(pin)
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def is_pin_hash(stored: str) -> bool:
    try:
        _parse(stored)
    except PinError:
        return False
    return True


def _parse(stored: str) -> tuple[int, bytes, bytes]:
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != ALGORITHM:
        raise PinError(f"a PIN hash looks like {ALGORITHM}$<iterations>$<salt>$<hash>")
    try:
        iterations, salt, digest = int(parts[1]), bytes.fromhex(parts[2]), bytes.fromhex(parts[3])
    except ValueError as exc:
        raise PinError("the PIN hash is damaged") from exc
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS or not salt or len(digest) != 32:
        raise PinError("the PIN hash is damaged")
    return iterations, salt, digest


def check_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored``; False for a wrong PIN, an empty or bad hash."""
    if not stored:
        return False
    try:
        iterations, salt, digest = _parse(stored)
    except PinError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return hmac.compare_digest(candidate, digest)
