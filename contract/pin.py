"""Admin PINs: stored and synced only as salted, memory-hard hashes, checked in constant time.

Format: ``scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>``; hashes made before it,
``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``, still verify. A PIN has few values,
so the hash alone cannot stop an attacker who copied the disk for ever: scrypt's cost in
memory (16 MiB a try) makes each guess as dear on a GPU as on the terminal, new PINs have
at least 6 digits, and the terminal counts wrong tries on disk (``kiosk.domain.pin_lockout``).
The hash keeps the PIN out of config files, logs and the server's database in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable

ALGORITHM = "scrypt"
# N = 2**14, r = 8, p = 1: 16 MiB and ~60 ms on a desktop core (docs/benchmarks.md); a
# Raspberry Pi 4 class board is 3 to 5 times slower, within the 300 ms a check may take.
LOG2_N, BLOCK_SIZE, PARALLELISM = 14, 8, 1
# A hash from the server or a config is refused beyond this: each try runs on the core
# worker and must not keep badges waiting (2**16 is 64 MiB, ~1 s on a Pi).
MIN_LOG2_N, MAX_LOG2_N = 10, 16
LEGACY = "pbkdf2_sha256"
MIN_ITERATIONS, MAX_ITERATIONS = 1_000, 600_000
# New PINs: 6 to 8 digits. Older hashes of 4 or 5 digit PINs keep working until replaced.
MIN_DIGITS, MAX_DIGITS = 6, 8
# What the PIN pad takes: a PIN set before the 6-digit minimum still opens it.
ENTRY_MIN_DIGITS = 4


class PinError(ValueError):
    """A PIN that is not 6 to 8 digits, or a stored hash in an unknown format."""


def check_format(pin: str) -> str:
    if not (pin.isascii() and pin.isdigit() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
        raise PinError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    return pin


def hash_pin(pin: str, *, log2_n: int = LOG2_N, salt: bytes | None = None) -> str:
    check_format(pin)
    salt = salt if salt is not None else os.urandom(16)
    digest = _scrypt(pin, salt, log2_n, BLOCK_SIZE, PARALLELISM)
    return f"{ALGORITHM}${log2_n}${BLOCK_SIZE}${PARALLELISM}${salt.hex()}${digest.hex()}"


def _scrypt(pin: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32,
                          maxmem=2 * 128 * r * n * p + (1 << 20))


def is_pin_hash(stored: str) -> bool:
    try:
        _verifier(stored)
    except PinError:
        return False
    return True


def _verifier(stored: str) -> tuple[bytes, Callable[[str], bytes]]:
    """(expected digest, function of the PIN giving the digest to compare), parsed and
    bounded before any work is done."""
    parts = stored.split("$")
    try:
        if parts[0] == ALGORITHM and len(parts) == 6:
            log2_n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
            if not (MIN_LOG2_N <= log2_n <= MAX_LOG2_N and r == BLOCK_SIZE
                    and p == PARALLELISM and salt and len(digest) == 32):
                raise PinError("the PIN hash is damaged")
            return digest, lambda pin: _scrypt(pin, salt, log2_n, r, p)
        if parts[0] == LEGACY and len(parts) == 4:
            iterations, salt, digest = int(parts[1]), bytes.fromhex(parts[2]), \
                bytes.fromhex(parts[3])
            if not (MIN_ITERATIONS <= iterations <= MAX_ITERATIONS and salt
                    and len(digest) == 32):
                raise PinError("the PIN hash is damaged")
            return digest, lambda pin: hashlib.pbkdf2_hmac("sha256", pin.encode(), salt,
                                                           iterations)
    except ValueError as exc:
        raise PinError("the PIN hash is damaged") from exc
    raise PinError(f"a PIN hash looks like {ALGORITHM}$<log2 N>$<r>$<p>$<salt>$<hash>")


def check_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored``; False for a wrong PIN, an empty or bad hash."""
    if not stored:
        return False
    try:
        digest, compute = _verifier(stored)
    except PinError:
        return False
    return hmac.compare_digest(compute(pin), digest)
