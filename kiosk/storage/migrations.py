"""Schema migrations, applied in order at start; each runs in its own transaction.

Append a new function to ``MIGRATIONS`` to change the schema; never edit one
that has shipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE employees (
            id INTEGER PRIMARY KEY,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT 'fr',
            role TEXT NOT NULL DEFAULT 'worker',
            active INTEGER NOT NULL DEFAULT 1
        )"""
    )
    db.execute(
        """CREATE TABLE badges (
            badge TEXT PRIMARY KEY,
            employee_id INTEGER NOT NULL REFERENCES employees(id),
            active INTEGER NOT NULL DEFAULT 1,
            server_id INTEGER UNIQUE
        )"""
    )
    db.execute("CREATE INDEX badges_employee ON badges(employee_id)")
    db.execute("CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE group_members (
            group_id INTEGER NOT NULL REFERENCES groups(id),
            employee_id INTEGER NOT NULL REFERENCES employees(id),
            can_post INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (group_id, employee_id)
        )"""
    )
    db.execute(
        """CREATE TABLE contacts (
            employee_id INTEGER NOT NULL REFERENCES employees(id),
            contact_kind TEXT NOT NULL CHECK (contact_kind IN ('employee', 'group')),
            contact_id INTEGER NOT NULL,
            PRIMARY KEY (employee_id, contact_kind, contact_id)
        )"""
    )
    db.execute(
        """CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            thread_id TEXT,
            sender_id INTEGER,
            sender_name TEXT NOT NULL,
            group_id INTEGER,
            kind TEXT NOT NULL DEFAULT 'text',
            body TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            ack_required INTEGER NOT NULL DEFAULT 0,
            reply_allowed INTEGER NOT NULL DEFAULT 1,
            expires_at TEXT,
            status TEXT NOT NULL DEFAULT 'approved',
            reject_reason TEXT,
            attachment_sha256 TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE message_recipients (
            message_id TEXT NOT NULL REFERENCES messages(id),
            employee_id INTEGER NOT NULL,
            read_at TEXT,
            acked_at TEXT,
            PRIMARY KEY (message_id, employee_id)
        )"""
    )
    db.execute("CREATE INDEX recipients_by_employee ON message_recipients(employee_id, read_at)")
    db.execute("CREATE INDEX messages_by_date ON messages(created_at)")
    db.execute(
        """CREATE TABLE punches (
            id TEXT PRIMARY KEY,
            employee_id INTEGER NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('IN', 'OUT')),
            wall_time TEXT NOT NULL,
            monotonic_ns INTEGER NOT NULL,
            boot_id TEXT NOT NULL,
            voided INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX punches_by_employee ON punches(employee_id, wall_time)")
    db.execute(
        """CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'sent', 'rejected')),
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            sent_at TEXT
        )"""
    )
    db.execute("CREATE INDEX outbox_by_state ON outbox(state, seq)")
    db.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT)")


def _m002_attachments(db: sqlite_utils.Database) -> None:
    # Photos and drawings waiting to go (and kept for the sender's own view),
    # content-addressed like on the server.
    db.execute(
        """CREATE TABLE attachments (
            sha256 TEXT PRIMARY KEY,
            content_type TEXT NOT NULL,
            data BLOB NOT NULL,
            created_at TEXT NOT NULL,
            uploaded_at TEXT
        )"""
    )


def _m003_inbox_index(db: sqlite_utils.Database) -> None:
    # The inbox (newest first, for one worker) read straight off one index, with no sort
    # of all the worker's messages: each recipient row carries its message's creation
    # time (messages are never re-dated), and the index covers what the list needs from it.
    db.execute("ALTER TABLE message_recipients ADD COLUMN created_at TEXT")
    db.execute(
        "UPDATE message_recipients SET created_at = "
        "(SELECT m.created_at FROM messages m WHERE m.id = message_recipients.message_id)"
    )
    db.execute(
        "CREATE INDEX recipients_inbox "
        "ON message_recipients(employee_id, created_at, message_id, read_at)"
    )


def _m004_thread_index(db: sqlite_utils.Database) -> None:
    # The message view recalls the conversation before a message: its thread, in order.
    db.execute("CREATE INDEX messages_by_thread ON messages(thread_id, created_at)")


def _m005_pull_quarantine(db: sqlite_utils.Database) -> None:
    # Pulled changes this terminal could not apply (a shape it does not understand),
    # kept as received so that they can be looked at, instead of blocking every pull
    # after them (kiosk.sync.apply). ``error`` is the exception type and a short message.
    db.execute(
        """CREATE TABLE pull_quarantine (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            change_type TEXT,
            change TEXT NOT NULL,
            error TEXT NOT NULL,
            quarantined_at TEXT NOT NULL
        )"""
    )


def _m006_outbox_hold(db: sqlite_utils.Database) -> None:
    # A row the sync must not push before this time (UTC ISO): a one-tap quick reply
    # waits out its undo window on disk, so a power cut during it loses nothing.
    db.execute("ALTER TABLE outbox ADD COLUMN not_before TEXT")


def _m007_badge_keys(db: sqlite_utils.Database) -> None:
    # What punching needs when the message cache is locked (kiosk.storage.cache): badge
    # -> employee as salted hashes of the badge ids, so that a thief cannot list them,
    # with what the welcome needs. ``badge_memo`` (moved to the cache with the directory)
    # remembers each badge's hash, so that a pull hashes only new badges.
    db.execute(
        """CREATE TABLE badge_keys (
            hash BLOB PRIMARY KEY,
            employee_id INTEGER NOT NULL,
            active INTEGER NOT NULL,
            employee_active INTEGER NOT NULL,
            language TEXT NOT NULL,
            role TEXT NOT NULL
        )"""
    )
    db.execute("CREATE TABLE badge_memo (badge TEXT PRIMARY KEY, hash BLOB NOT NULL)")
    db.execute("INSERT INTO sync_state (key, value) VALUES ('badge_salt', ?)",
               (os.urandom(16).hex(),))


def _m008_sealed_outbox(db: sqlite_utils.Database) -> None:
    # Outgoing messages sealed to the server (kiosk.domain.outgoing): the payload is a
    # box, so what the pusher needs in clear comes beside it: the sha256 of the picture
    # to upload first (its sealed bytes in sealed_uploads). ``memo``: the Sent view's row,
    # encrypted under the cache key, to re-create it after a crash between the two files.
    db.execute("ALTER TABLE outbox ADD COLUMN attachment_sha256 TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN memo BLOB")
    # The outbox keeps every row: the restore at each open reads the few memos left.
    db.execute("CREATE INDEX outbox_memos ON outbox(id) WHERE memo IS NOT NULL")
    db.execute(
        """CREATE TABLE sealed_uploads (
            sha256 TEXT PRIMARY KEY,
            content_type TEXT NOT NULL,
            box BLOB NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    # Who the worker's own messages went to (the payload says it no more): a cache table,
    # made here only while the cache tables still live in this file (kiosk.storage.cache
    # creates it in the encrypted cache, where a table in main would hide it).
    split = db.execute("SELECT 1 FROM sync_state WHERE key = 'cache_layout' "
                       "AND value = 'encrypted'").fetchone()
    if not split:
        db.execute(
            """CREATE TABLE sent_to (
                message_id TEXT PRIMARY KEY,
                to_employees TEXT NOT NULL,
                to_groups TEXT NOT NULL
            )"""
        )


def _cache_tables_here(db: sqlite_utils.Database) -> bool:
    """Whether the cache's tables still live in this file (no encrypted cache yet)."""
    return db.execute("SELECT 1 FROM main.sqlite_master WHERE type = 'table' "
                      "AND name = 'messages'").fetchone() is not None


def _m009_acknowledgement_index(db: sqlite_utils.Database) -> None:
    # The messages asking for an acknowledgement, newest first: what the inbox puts on top
    # and badge-in names first, found without walking a worker's whole inbox. Only where
    # the cache tables still live in this file: the encrypted cache makes its indexes from
    # the same history (kiosk.storage.cache.cache_schema) when it opens.
    if _cache_tables_here(db):
        db.execute("CREATE INDEX messages_to_acknowledge ON messages(created_at, id) "
                   "WHERE ack_required")


def _m010_two_file_commits(db: sqlite_utils.Database) -> None:
    # A transaction over the punch store and the attached cache commits the punch store
    # first and the cache second, not both or neither (WAL: no super-journal). So what
    # must hold with the cache's contents lives in the cache: the pull cursor moves there
    # (kiosk.sync.apply.save_cursor), so that a crash between the two commits replays a
    # page instead of skipping it. A table here only while the cache tables still live in
    # this file (kiosk.storage.cache makes it in the encrypted cache otherwise).
    if _cache_tables_here(db):
        db.execute("CREATE TABLE pull_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), "
                   "cursor TEXT NOT NULL)")
    # A quick reply taken back: its outbox row is gone, its Sent row (in the cache) goes
    # in a second transaction; until then this row says so, for a crash in between
    # (kiosk.domain.outgoing.forget_withdrawn).
    db.execute("CREATE TABLE withdrawn_sends (id TEXT PRIMARY KEY)")


MIGRATIONS: tuple[Migration, ...] = (
    _m001_initial, _m002_attachments, _m003_inbox_index, _m004_thread_index,
    _m005_pull_quarantine, _m006_outbox_hold, _m007_badge_keys, _m008_sealed_outbox,
    _m009_acknowledgement_index, _m010_two_file_commits,
)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def apply_migrations(db: sqlite_utils.Database) -> int:
    """Bring the schema to the latest version; returns the version reached.

    The version is read inside each migration's write transaction, so two
    threads or processes opening a new database at once (the core worker and
    the sync worker do) apply each migration exactly once.
    """
    while True:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(db)
            if version > len(MIGRATIONS):
                raise RuntimeError(
                    f"database schema version {version} is newer than this terminal "
                    f"({len(MIGRATIONS)}); upgrade the terminal software"
                )
            if version == len(MIGRATIONS):
                db.conn.execute("COMMIT")
                return version
            MIGRATIONS[version](db)
            db.conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
