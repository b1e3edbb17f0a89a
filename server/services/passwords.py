"""Console passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's second
recommended profile). The password itself is never stored, logged or returned."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.repo import Refused

MIN_LENGTH = 10
MAX_LENGTH = 200  # argon2 takes any length; a cap keeps a login request cheap
_hasher = PasswordHasher()
# Verified when an e-mail address names no account, so that a wrong address costs as
# long as a wrong password and the answer time does not tell which addresses exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise Refused("weak_password", f"a password has at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise Refused("weak_password", f"a password has at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
