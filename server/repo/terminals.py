"""Terminals, their tokens, and one-time enrollment codes.

Only sha256 hashes of codes and tokens are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection, Row

from contract import error_codes as errors
from server.db.schema import enrollment_codes, terminals
from server.db.types import utcnow
from server.repo import NotFound, Refused, changes
from server.repo.directory import get_site

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
TOUCH_EVERY = timedelta(seconds=60)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_enrollment_code(conn: Connection, site_id: int, ttl: timedelta) -> tuple[str, datetime]:
    """Make a one-time code for a terminal of ``site_id``; returns (code, expires_at)."""
    get_site(conn, site_id)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    now = utcnow()
    conn.execute(insert(enrollment_codes).values(
        code_hash=hash_secret(raw), site_id=site_id, created_at=now, expires_at=now + ttl))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}", now + ttl


def redeem_code(conn: Connection, code: str, terminal_name: str) -> tuple[int, str, Row[Any]]:
    """Use a code once: make the terminal; returns (terminal id, token, site row)."""
    code_hash = hash_secret(normalize_code(code))
    row = conn.execute(
        select(enrollment_codes).where(enrollment_codes.c.code_hash == code_hash)).first()
    now = utcnow()
    if row is None:
        raise Refused(errors.ENROLLMENT_CODE_INVALID, "unknown enrollment code")
    if row.used_at is not None:
        raise Refused(errors.ENROLLMENT_CODE_USED, "this enrollment code was already used; "
                      "ask an admin for a new one")
    if row.expires_at <= now:
        raise Refused(errors.ENROLLMENT_CODE_EXPIRED, "this enrollment code has expired; "
                      "ask an admin for a new one")
    token = new_token()
    terminal_id = conn.execute(insert(terminals).values(
        name=terminal_name, site_id=row.site_id, token_hash=hash_secret(token), created_at=now,
        token_issued_at=now,
    )).inserted_primary_key[0]
    used = conn.execute(update(enrollment_codes)
                        .where(enrollment_codes.c.id == row.id)
                        .where(enrollment_codes.c.used_at.is_(None))
                        .values(used_at=now, terminal_id=terminal_id))
    if used.rowcount != 1:  # lost a race with another enrollment
        raise Refused(errors.ENROLLMENT_CODE_USED, "this enrollment code was already used")
    return terminal_id, token, get_site(conn, row.site_id)


def new_token() -> str:
    return secrets.token_urlsafe(32)


CURRENT, PREVIOUS = "current", "previous"


def by_token(conn: Connection, token: str) -> tuple[Row[Any], str] | None:
    """The terminal holding ``token``, and whether it is its current or previous token
    (the one before the last rotation, valid until ``previous_token_expires_at``)."""
    digest = hash_secret(token)
    query = select(terminals).where((terminals.c.token_hash == digest)
                                    | (terminals.c.previous_token_hash == digest))
    row = conn.execute(query).first()
    if row is None:
        return None
    return row, CURRENT if row.token_hash == digest else PREVIOUS


def by_token_hashes(conn: Connection, digests: list[str]) -> dict[str, tuple[Row[Any], str]]:
    """``by_token`` for many token hashes at once (the ones found)."""
    query = select(terminals).where(terminals.c.token_hash.in_(digests)
                                    | terminals.c.previous_token_hash.in_(digests))
    wanted, found = set(digests), {}
    for row in conn.execute(query):
        if row.token_hash in wanted:
            found[row.token_hash] = (row, CURRENT)
        if row.previous_token_hash in wanted:
            found[row.previous_token_hash] = (row, PREVIOUS)
    return found


def previous_token_expired(terminal: Row[Any]) -> bool:
    expires = terminal.previous_token_expires_at
    return expires is not None and expires <= utcnow()


def needs_touch(terminal: Row[Any], which: str = CURRENT) -> bool:
    """Last use is refreshed at most once a minute (per token)."""
    last = (terminal.token_last_used_at if which == CURRENT
            else terminal.previous_token_last_used_at)
    now = utcnow()
    return any(t is None or now - t > TOUCH_EVERY for t in (last, terminal.last_seen_at))


# Once a rotated token's successor has been used, the old one works this much longer
# only: the terminal's other thread may have a request on the way with it.
SUCCESSOR_OVERLAP = timedelta(minutes=2)


def touch_ends_grace(terminal: Row[Any], which: str = CURRENT) -> bool:
    """Whether this use is the first of a token that replaced another (see ``touch``)."""
    return (which == CURRENT and terminal.token_last_used_at is None
            and terminal.previous_token_expires_at is not None)


def touch(conn: Connection, terminal: Row[Any], which: str = CURRENT) -> None:
    """Note the token's use. The first use of a token that replaced another ends the old
    one's grace period (``SUCCESSOR_OVERLAP`` from now): the terminal has the new token,
    so only a copy of the old one could still want it."""
    now = utcnow()
    used = "token_last_used_at" if which == CURRENT else "previous_token_last_used_at"
    values: dict[str, Any] = {"last_seen_at": now, used: now}
    expires = terminal.previous_token_expires_at
    if which == CURRENT and terminal.token_last_used_at is None and expires is not None:
        values["previous_token_expires_at"] = min(expires, now + SUCCESSOR_OVERLAP)
    conn.execute(update(terminals).where(terminals.c.id == terminal.id).values(**values))


def rotate_token(conn: Connection, terminal_id: int, presented: str,
                 grace: timedelta) -> tuple[str, datetime, datetime | None]:
    """A fresh token for the terminal holding ``presented`` (a token's hash); returns
    (token, issued_at, previous_expires_at). Which token it is, is read here, in the
    write transaction: two rotations racing with one token cannot both pass.

    Rotating with the current token makes it the previous one, valid for ``grace``
    more (cut short once the new one is used, see ``touch``). Rotating with the previous
    one is for a terminal that lost the answer of its last rotation: allowed only while
    the current token was never used (else the terminal has it, and the caller holds a
    copy of the old one), it replaces the current token and keeps the previous token's
    expiry: a token's life is never extended.
    """
    row = conn.execute(select(terminals).where(terminals.c.id == terminal_id)).one()
    token, now = new_token(), utcnow()
    if presented == row.token_hash:
        which = CURRENT
    elif presented == row.previous_token_hash:
        which = PREVIOUS
        if previous_token_expired(row) or row.token_last_used_at is not None:
            raise Refused(errors.TOKEN_EXPIRED, "this token was replaced; its successor is "
                          "in use", terminal_id=terminal_id)
    else:
        raise Refused(errors.INVALID_TOKEN, "the token was rotated meanwhile")
    values: dict[str, Any] = {"token_hash": hash_secret(token), "token_issued_at": now,
                              "token_last_used_at": None}
    if which == CURRENT:
        values.update(previous_token_hash=row.token_hash,
                      previous_token_expires_at=now + grace,
                      previous_token_last_used_at=row.token_last_used_at)
    # The WHERE makes two rotations racing with the same token apply only once.
    done = conn.execute(update(terminals).where(terminals.c.id == terminal_id)
                        .where(terminals.c.token_hash == row.token_hash).values(**values))
    if done.rowcount != 1:
        raise Refused(errors.INVALID_TOKEN, "the token was rotated meanwhile; try again")
    return token, now, values.get("previous_token_expires_at", row.previous_token_expires_at)


def note_seq(conn: Connection, terminal_id: int, seq: int) -> None:
    conn.execute(update(terminals).where(terminals.c.id == terminal_id)
                 .where((terminals.c.last_seq.is_(None)) | (terminals.c.last_seq < seq))
                 .values(last_seq=seq))


def revoke(conn: Connection, terminal_id: int) -> None:
    """Revoke the terminal. A ``terminal`` change for its site wakes its held long-polls
    (in this process at commit, in the others through their change watcher), which
    then check the terminal again and end with ``terminal_revoked``."""
    row = conn.execute(select(terminals.c.id, terminals.c.site_id)
                       .where(terminals.c.id == terminal_id)).first()
    if row is None:
        raise NotFound("unknown_terminal", f"no terminal with id {terminal_id}")
    # The cache key goes with the revocation: a stolen terminal's cache stays sealed
    # even if its token and signing key were copied.
    conn.execute(update(terminals).where(terminals.c.id == terminal_id)
                 .where(terminals.c.revoked_at.is_(None))
                 .values(revoked_at=utcnow(), cache_key=None))
    changes.record(conn, "terminal", terminal_id, [row.site_id])


CACHE_KEY_BYTES = 32


def bind_key(conn: Connection, terminal_id: int, public_key: bytes) -> None:
    """Store the terminal's Ed25519 public key, once: from then on its requests must be
    signed with the matching private key (server.signatures)."""
    conn.execute(update(terminals).where(terminals.c.id == terminal_id)
                 .where(terminals.c.public_key.is_(None)).values(public_key=public_key))



def cache_key(conn: Connection, terminal_id: int) -> bytes:
    """The terminal's message-cache key, made (32 random bytes) if it has none yet."""
    key = conn.execute(select(terminals.c.cache_key)
                       .where(terminals.c.id == terminal_id)).scalar_one()
    if key is None:
        key = secrets.token_bytes(CACHE_KEY_BYTES)
        # Only if still none: two first calls racing get the same key.
        conn.execute(update(terminals).where(terminals.c.id == terminal_id)
                     .where(terminals.c.cache_key.is_(None)).values(cache_key=key))
        key = conn.execute(select(terminals.c.cache_key)
                           .where(terminals.c.id == terminal_id)).scalar_one()
    return bytes(key)


def is_revoked(conn: Connection, terminal_id: int) -> bool:
    query = select(terminals.c.revoked_at).where(terminals.c.id == terminal_id)
    return conn.execute(query).scalar_one_or_none() is not None


def revoked_among(conn: Connection, terminal_ids: list[int]) -> set[int]:
    """Those of ``terminal_ids`` that are revoked (or gone)."""
    query = select(terminals.c.id).where(terminals.c.id.in_(terminal_ids)).where(
        terminals.c.revoked_at.is_(None))
    return set(terminal_ids) - set(conn.execute(query).scalars())


def touch_many(conn: Connection, seen: dict[tuple[int, str], datetime]) -> None:
    """Note many terminals' token uses at once (``server.touches``): (terminal id, which
    token) -> when. One statement per kind of token."""
    for which, column in ((CURRENT, "token_last_used_at"),
                          (PREVIOUS, "previous_token_last_used_at")):
        rows = [{"tid": tid, "seen": when} for (tid, kind), when in seen.items()
                if kind == which]
        if rows:
            conn.execute(update(terminals).where(terminals.c.id == bindparam("tid"))
                         .values({"last_seen_at": bindparam("seen"),
                                  column: bindparam("seen")}), rows)


def list_terminals(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(terminals).order_by(terminals.c.id)))
