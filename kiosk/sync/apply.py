"""Apply the changes a pull brought to the terminal's cache, inside the pull's transaction.

The cursor is saved in the same transaction (``save_cursor``), in the cache beside what
the page wrote there, so a crash cannot skip a change or leave one half-applied.

Each change is applied inside its own SAVEPOINT.  A change this terminal cannot apply
(a missing key, a wrong type, a bad date: a "poison" change) is rolled back alone and
set aside in ``pull_quarantine`` with its raw JSON and the error; the others of the
page are applied and the cursor moves on.  Without that, one such change would fail
every pull after it, for ever.  A storage fault (disk full, I/O error) is not the
change's fault: it rolls back the whole pull, tried again later.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kiosk.domain.badge_keys import copy_badge_keys
from kiosk.domain.directory import Directory
from kiosk.domain.messages import IncomingMessage, MessageStore
from kiosk.domain.models import Employee
from kiosk.storage import sqlite as sqlite_errors

log = logging.getLogger(__name__)

Change = dict[str, Any]


def split_name(name: str) -> tuple[str, str]:
    """'Jean-Pierre De La Tour' -> ('Jean-Pierre', 'De La Tour'): the greeting uses the first."""
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def _employee(conn: sqlite3.Connection, c: Change) -> None:
    first, last = split_name(c["name"])
    Directory.put_employee(
        conn, Employee(c["id"], first, last, c["language"], c["role"], bool(c["active"]))
    )


def _badge(conn: sqlite3.Connection, c: Change) -> None:
    # A badge id re-issued to another employee replaces the old row.
    conn.execute("DELETE FROM badges WHERE server_id = ? AND badge != ?", (c["id"], c["uid"]))
    Directory.put_badge(conn, c["uid"], c["employee_id"], bool(c["active"]))
    conn.execute("UPDATE badges SET server_id = ? WHERE badge = ?", (c["id"], c["uid"]))


def _group(conn: sqlite3.Connection, c: Change) -> None:
    members = [(m["employee_id"], bool(m["can_post"])) for m in c["members"]]
    Directory.put_group(conn, c["id"], c["name"], members)


def _contact_list(conn: sqlite3.Connection, c: Change) -> None:
    Directory.put_contacts(conn, c["employee_id"], c["employees"], c["groups"])


def _sender_names(conn: sqlite3.Connection, sender_ids: set[int]) -> dict[int, str]:
    ids = sorted(i for i in sender_ids if isinstance(i, int))
    names: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        names.update((row[0], row[1].strip()) for row in conn.execute(
            "SELECT id, first_name || ' ' || last_name FROM employees "
            f"WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    return names


def _messages(conn: sqlite3.Connection, cs: list[Change]) -> None:
    """Messages, a run of them in a few statements (a first sync: 500 a page)."""
    names = _sender_names(conn, {c["sender_id"] for c in cs})
    incoming, updates = [], []
    for c in cs:
        expires = c.get("expires_at")
        # The photo, or the PNG the server rendered of a drawing; the pull loop downloads
        # the bytes after this transaction (kiosk.sync.worker), the message shows meanwhile.
        sha256 = (c.get("attachment") or {}).get("sha256")
        reply_allowed = bool(c.get("reply_allowed", True))
        incoming.append(IncomingMessage(
            id=c["id"], sender_id=c["sender_id"], sender_name=names.get(c["sender_id"], ""),
            body=c["body"], created_at=datetime.fromisoformat(c["created_at"]),
            recipients=tuple(c["recipients"]), kind=c["kind"], ack_required=c["ack_required"],
            reply_allowed=reply_allowed, group_id=(c["to_groups"] or [None])[0],
            expires_at=datetime.fromisoformat(expires) if expires else None,
            attachment_sha256=sha256,
        ))
        updates.append((c["status"], c.get("rejection_reason"), c.get("thread_id") or c["id"],
                        int(reply_allowed), sha256, c["id"]))
    MessageStore.put(conn, incoming)
    # A message this terminal wrote keeps its own attachment (the drawing it rendered,
    # the same bytes as the server's render with the same Pillow, but here already).
    conn.executemany(
        "UPDATE messages SET status = ?, reject_reason = ?, thread_id = ?, reply_allowed = ?, "
        "attachment_sha256 = coalesce(attachment_sha256, ?) WHERE id = ?", updates)


def _message(conn: sqlite3.Connection, c: Change) -> None:
    _messages(conn, [c])


def _message_status(conn: sqlite3.Connection, c: Change) -> None:
    # Read on another terminal counts here too; a local read stays as it was.
    conn.execute(
        "UPDATE message_recipients SET read_at = coalesce(read_at, ?), "
        "acked_at = coalesce(acked_at, ?) WHERE message_id = ? AND employee_id = ?",
        (c.get("read_at"), c.get("acked_at"), c["message_id"], c["employee_id"]),
    )


def _moderation(conn: sqlite3.Connection, c: Change) -> None:
    conn.execute(
        "UPDATE messages SET status = ?, reject_reason = ? WHERE id = ?",
        (c["status"], c.get("reason"), c["message_id"]),
    )


def _site_settings(conn: sqlite3.Connection, c: Change) -> None:
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES ('site_settings', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (json.dumps(c, sort_keys=True),),
    )


def _delete(conn: sqlite3.Connection, c: Change) -> None:
    entity, ident = c["entity"], c["id"]
    if entity == "employee":
        for sql in ("DELETE FROM badges WHERE employee_id = ?",
                    "DELETE FROM contacts WHERE employee_id = ?",
                    "DELETE FROM group_members WHERE employee_id = ?",
                    "DELETE FROM employees WHERE id = ?"):
            conn.execute(sql, (ident,))
    elif entity == "badge":
        conn.execute("DELETE FROM badges WHERE server_id = ?", (ident,))
    elif entity == "group":
        conn.execute("DELETE FROM group_members WHERE group_id = ?", (ident,))
        conn.execute("DELETE FROM contacts WHERE contact_kind = 'group' AND contact_id = ?",
                     (ident,))
        conn.execute("DELETE FROM groups WHERE id = ?", (ident,))
    elif entity == "contact_list":
        conn.execute("DELETE FROM contacts WHERE employee_id = ?", (ident,))
    elif entity == "message":
        conn.execute("DELETE FROM message_recipients WHERE message_id = ?", (str(ident),))
        conn.execute("DELETE FROM messages WHERE id = ?", (str(ident),))


_APPLIERS: dict[str, Callable[[sqlite3.Connection, Change], None]] = {
    "employee": _employee, "badge": _badge, "group": _group, "contact_list": _contact_list,
    "message": _message, "message_status": _message_status, "moderation": _moderation,
    "site_settings": _site_settings, "delete": _delete,
}


def drop_directory(conn: sqlite3.Connection) -> None:
    """Before a full resend of the site's state: forget the cached directory."""
    for table in ("contacts", "group_members", "groups", "badges"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("UPDATE employees SET active = 0")  # rows stay: punches and messages name them


# What a change's own data can raise: missing keys, wrong types, bad dates, values SQLite
# refuses (NOT NULL, CHECK, a list where a number goes). Not OperationalError (disk full,
# I/O, locked) nor DatabaseError (a damaged file): those are the terminal's, not the change's.
_POISON = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
           *sqlite_errors.IntegrityError, *sqlite_errors.InterfaceError,
           *sqlite_errors.ProgrammingError, *sqlite_errors.DataError)
ERROR_CHARS = 200
# Changes after which the locked terminal's badge map is rebuilt.
DIRECTORY_CHANGES = frozenset({"employee", "badge", "delete"})


# Kinds applied a run at a time: consecutive changes of the kind in one savepoint, a
# few statements for the run. Should one of them be poison, the run is rolled back and
# applied change by change, so that only that one is set aside.
_RUNS: dict[str, Callable[[sqlite3.Connection, list[Change]], None]] = {"message": _messages}


def _kind(change: object) -> str | None:
    kind = change.get("type") if isinstance(change, dict) else None
    return kind if isinstance(kind, str) else None


def apply_changes(conn: sqlite3.Connection, changes: list[Change]) -> int:
    """Apply changes in order, each inside a SAVEPOINT (runs of messages together);
    unknown change types (a newer server) are skipped, counted; a change that cannot be
    applied is quarantined."""
    skipped = 0
    start = 0
    while start < len(changes):
        kind = _kind(changes[start])
        end = start + 1
        if kind in _RUNS:
            while end < len(changes) and _kind(changes[end]) == kind:
                end += 1
            if end - start > 1 and _apply_run(conn, _RUNS[kind], changes[start:end]):
                start = end
                continue
        for change in changes[start:end]:
            skipped += _apply_one(conn, change)
        start = end
    if skipped:
        log.warning("skipped %d changes of unknown type", skipped)
    return skipped


def _apply_run(conn: sqlite3.Connection, applier: Callable[[sqlite3.Connection, list[Change]],
               None], run: list[Change]) -> bool:
    """Apply a run in one savepoint; False (nothing applied) if any of it is poison."""
    conn.execute("SAVEPOINT pulled_run")
    try:
        applier(conn, run)
    except _POISON:
        conn.execute("ROLLBACK TO pulled_run")
        conn.execute("RELEASE pulled_run")
        return False
    conn.execute("RELEASE pulled_run")
    return True


def _apply_one(conn: sqlite3.Connection, change: Change) -> int:
    """Apply one change in its own savepoint; 1 if skipped (unknown type), else 0."""
    kind = _kind(change)
    if kind is None:
        _quarantine(conn, change, TypeError("a change must be an object with a type"))
        return 0
    applier = _APPLIERS.get(kind)
    if applier is None:
        return 1
    conn.execute("SAVEPOINT pulled_change")
    try:
        applier(conn, change)
    except _POISON as exc:
        conn.execute("ROLLBACK TO pulled_change")
        conn.execute("RELEASE pulled_change")
        _quarantine(conn, change, exc)
        return 0
    conn.execute("RELEASE pulled_change")
    return 0


def _quarantine(conn: sqlite3.Connection, change: object, exc: Exception) -> None:
    kind = change.get("type") if isinstance(change, dict) else None
    kind = kind if kind in _APPLIERS else None  # a known word, never text from the change
    error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    conn.execute(
        "INSERT INTO pull_quarantine (change_type, change, error, quarantined_at) "
        "VALUES (?, ?, ?, ?)",
        (kind, json.dumps(change, ensure_ascii=False, default=repr), error,
         datetime.now(UTC).isoformat()),
    )
    # The type of change and of error only: the change may hold a message body.
    log.warning("a pulled %s change could not be applied (%s); set aside in pull_quarantine",
                kind or "malformed", type(exc).__name__)


def missing_attachments(conn: sqlite3.Connection) -> list[str]:
    """Attachments that messages name but whose bytes are not here, newest message first."""
    rows = conn.execute(
        "SELECT m.attachment_sha256 FROM messages m "
        "WHERE m.attachment_sha256 IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM attachments a WHERE a.sha256 = m.attachment_sha256) "
        "GROUP BY m.attachment_sha256 ORDER BY max(m.created_at) DESC"
    )
    return [row[0] for row in rows]


def store_changes(conn: sqlite3.Connection, reset: bool, changes: list[Change],
                  cursor: str) -> None:
    """Store one pulled page and its cursor inside the caller's transaction: the whole
    directory forgotten first on a reset, the badge map for a locked terminal rebuilt
    from the hashes made so far when the directory changed; the puller hashes new
    badges after the pages (``kiosk.domain.badge_keys.hash_new_badges``)."""
    if reset:
        drop_directory(conn)
    apply_changes(conn, changes)
    if reset or any(c.get("type") in DIRECTORY_CHANGES for c in changes if isinstance(c, dict)):
        copy_badge_keys(conn)
    save_cursor(conn, cursor)


def load_cursor(conn: sqlite3.Connection) -> str | None:
    """The cursor of the last page applied, from the cache (``pull_cursor``, committed
    with the page), else where a terminal before schema 10 kept it (dropped once the
    cache has its own: never in the page's transaction, where the punch store's half
    could commit without the cache's and leave no cursor at all)."""
    row = conn.execute("SELECT cursor FROM pull_cursor").fetchone()
    if row is not None:
        conn.execute("DELETE FROM main.sync_state WHERE key = 'cursor'")
        return row[0]
    row = conn.execute("SELECT value FROM main.sync_state WHERE key = 'cursor'").fetchone()
    return row[0] if row else None


def save_cursor(conn: sqlite3.Connection, cursor: str) -> None:
    """Inside the page's transaction. The cursor lives in the cache with what the page
    wrote there: the two files commit one after the other (punch store first), and a
    crash between them must leave the cursor behind the cache, never ahead of it.
    ``last_cursor`` in the punch store is a copy for ``kiosk doctor`` (which has no
    key); the pull never reads it."""
    conn.execute(
        "INSERT INTO pull_cursor (id, cursor) VALUES (1, ?) "
        "ON CONFLICT(id) DO UPDATE SET cursor = excluded.cursor", (cursor,))
    conn.execute(
        "INSERT INTO main.sync_state (key, value) VALUES ('last_cursor', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (cursor,))
