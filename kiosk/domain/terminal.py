"""The terminal core: what presenting a badge, switching a punch or opening a message does.

Every method touches the disk, so it runs on the core worker thread
(``kiosk.app.worker.CoreWorker``), never on the UI thread.  It returns plain values
(``kiosk.domain.models``); how to show them is the screens' business.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import sqlite_utils

from contract.pin import check_pin
from kiosk.domain import pin_lockout
from kiosk.domain.admin import PinCheck
from kiosk.domain.attachments import AttachmentStore
from kiosk.domain.directory import Directory
from kiosk.domain.messages import MessageStore
from kiosk.domain.models import (
    Attachment,
    BadgeOutcome,
    Contact,
    Message,
    MessageSummary,
    OutcomeKind,
    Punch,
    SendRefused,
    SentMessage,
    StagedAttachment,
)
from kiosk.domain.outgoing import (
    SentMemos,
    forget_withdrawn,
    remember_seal_key,
    restore_sent,
)
from kiosk.domain.punches import PunchBook
from kiosk.domain.retention import PruneResult, prune_expired
from kiosk.settings.site_settings import PunchMode, SiteSettings
from kiosk.settings.site_values import parse_stored, read_stored
from kiosk.storage import integrity_problem, open_database, transaction
from kiosk.storage.cache import cache_is_locked

log = logging.getLogger(__name__)


class Terminal:
    def __init__(self, db: sqlite_utils.Database, cache_key: bytes | None = None) -> None:
        self.db = db
        # No key for the message cache (kiosk.storage.cache): punches only, no messages.
        self.cache_locked = cache_is_locked(db)
        self.directory = Directory(db)
        self.punches = PunchBook(db)
        # With the cache's key: the Sent rows' memos, and those a crash left out restored.
        memos = SentMemos(cache_key) if cache_key is not None and not self.cache_locked \
            else None
        if memos is not None:
            with transaction(db) as conn:
                restore_sent(conn, memos)
            forget_withdrawn(db)
        self.messages = MessageStore(db, memos)
        # Replaced whole (never mutated) by the runtime when the config or the server's
        # site settings change; read on the core worker thread.
        self.settings = SiteSettings()
        self._settings_source: tuple[str | None, SiteSettings] | None = None
        # The wall clock wrong admin PINs are counted with (a test gives its own).
        self.wall_clock: Callable[[], float] = time.time
        # What PRAGMA quick_check found (None: sound, or not checked yet).
        self.integrity_problem: str | None = None
        self._integrity_checked = False

    @classmethod
    def open(cls, database_path: Path, cache_key: bytes | None = None,
             seal_public_key: bytes | None = None) -> Terminal:
        """``seal_public_key``: the server's, as it came with the cache key; kept on disk
        (public) for the messages sent from now on to be sealed to it."""
        db = open_database(database_path, cache_key)
        if seal_public_key is not None:
            remember_seal_key(db.conn, seal_public_key)
        return cls(db, cache_key)

    def remember_seal_key(self, key: bytes | None) -> None:
        """Keep the server's sealing public key (from the enrollment or the cache key)."""
        if key is not None:
            remember_seal_key(self.db.conn, key)

    def check_integrity(self) -> str | None:
        """``PRAGMA quick_check`` once per open database (it reads the whole file); what
        it found, or None. Finding damage changes nothing on disk: the outbox in the file
        may hold punches, and only site IT may decide what to do (``DAMAGED_FIX``)."""
        if not self._integrity_checked:
            self.note_integrity(integrity_problem(self.db.conn))
        return self.integrity_problem

    @property
    def integrity_checked(self) -> bool:
        return self._integrity_checked

    def note_integrity(self, problem: str | None) -> str | None:
        """Keep what a page check made on another connection found (the runtime's
        storage-check thread); the same as ``check_integrity`` then returns."""
        self.integrity_problem, self._integrity_checked = problem, True
        if problem:
            log.error("the database is damaged (PRAGMA quick_check); see kiosk doctor")
        return problem

    def refresh_settings(self, base: SiteSettings) -> SiteSettings:
        """``base`` (the config's values) with the server's stored site settings over it;
        becomes ``self.settings``.  One small read; merged again only when the stored row
        or ``base`` changed, so the runtime may ask every second."""
        raw = read_stored(self.db.conn)
        if (raw, base) != self._settings_source:
            self.settings = base.with_server(parse_stored(raw))
            self._settings_source = (raw, base)
        return self.settings

    def present_badge(self, badge: str) -> BadgeOutcome:
        """Identify the badge's holder and record their punch at once."""
        settings = self.settings
        if badge in settings.admin_badges:  # before the directory: an admin badge punches no one
            return BadgeOutcome(OutcomeKind.ADMIN, admin_pin_set=bool(settings.admin_pin_hash))
        owner = self.directory.badge_owner(badge, locked=self.cache_locked)
        if owner is None:
            return BadgeOutcome(OutcomeKind.UNKNOWN_BADGE)
        if not owner.badge_active or not owner.employee.active:
            return BadgeOutcome(OutcomeKind.DISABLED, employee=owner.employee)
        # messages_only: the badge opens the worker's messages and records no punch.
        punch = (None if settings.punch_mode is PunchMode.MESSAGES_ONLY
                 else self.punches.record(owner.employee.id))
        return BadgeOutcome(
            OutcomeKind.WELCOME, employee=owner.employee, punch=punch,
            unread=0 if self.cache_locked else self.messages.unread_count(owner.employee.id),
            messages_locked=self.cache_locked,
            to_acknowledge=(None if self.cache_locked
                            else self.messages.first_to_acknowledge(owner.employee.id)),
        )

    def check_admin_pin(self, pin: str) -> PinCheck:
        """scrypt (or an older PBKDF2 hash) against the configured hash, a few hundred ms
        at most: the core worker's job. Wrong tries are counted on disk
        (``kiosk.domain.pin_lockout``): a locked pad checks nothing until it reopens."""
        stored = self.settings.admin_pin_hash
        if not stored:
            return PinCheck.NOT_SET
        if pin_lockout.locked_for(self.db.conn, self.wall_clock()) > 0:
            return PinCheck.LOCKED
        ok = check_pin(pin, stored)
        with transaction(self.db) as conn:
            pin_lockout.record(conn, ok, self.wall_clock())
        return PinCheck.OK if ok else PinCheck.WRONG

    def switch_punch(self, punch_id: str) -> Punch:
        return self.punches.switch(punch_id)

    def undo_punch(self, punch_id: str) -> None:
        self.punches.void(punch_id)

    def inbox(
        self, employee_id: int, before: MessageSummary | None = None
    ) -> list[MessageSummary]:
        return self.messages.inbox(employee_id, before=before)

    def unread_count(self, employee_id: int) -> int:
        return self.messages.unread_count(employee_id)

    def open_message(self, message_id: str, employee_id: int) -> Message | None:
        return self.messages.open(message_id, employee_id)

    def acknowledge(self, message_id: str, employee_id: int) -> datetime | None:
        return self.messages.acknowledge(message_id, employee_id)

    def contacts(self, employee_id: int) -> list[Contact]:
        return self.directory.contacts_of(employee_id)

    def send_message(
        self, sender_id: int, to_employees: list[int], to_groups: list[int], body: str,
        reply_to: str | None = None, *,
        attachment: Attachment | StagedAttachment | None = None, hold_s: float = 0.0,
    ) -> str:
        """Queue a message, with a photo or a drawing if given, raw or already staged
        (raises ``SendRefused`` before writing anything); held back ``hold_s`` seconds
        (an undo window) if given."""
        if self.cache_locked:  # it would live in the in-memory stand-in only, and be lost
            raise SendRefused("messages_locked")
        return self.messages.send(sender_id, to_employees, to_groups, body, reply_to,
                                  attachment, hold_s)

    def withdraw_message(self, message_id: str, sender_id: int) -> bool:
        """Undo a message still held back; False once it may have left."""
        return self.messages.withdraw(message_id, sender_id)

    def attachment(self, sha256: str) -> tuple[bytes, str] | None:
        """A photo's or rendered drawing's (bytes, content type); None if not here yet."""
        return AttachmentStore(self.db).get(sha256)

    def sent(self, employee_id: int) -> list[SentMessage]:
        return self.messages.sent(employee_id)

    def prune_expired(self, now: datetime | None = None) -> PruneResult:
        """Forget expired messages and the attachments nothing uses any more, as of
        ``now`` (the server's time; default this terminal's clock). A damaged database
        is left alone: deleting in it could lose more (``check_integrity``)."""
        if self.integrity_problem:
            log.warning("expired messages not pruned: the database is damaged")
            return PruneResult(messages=0, attachments=0)
        result = prune_expired(self.db, now)
        if result.messages or result.attachments:
            log.info("pruned %d expired messages, %d attachments",
                     result.messages, result.attachments)
        return result

    def close(self) -> None:
        self.db.conn.close()
