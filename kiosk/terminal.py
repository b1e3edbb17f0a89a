"""The terminal core: what presenting a badge, switching a punch or opening a message does.

Every method touches the disk, so it runs on the core worker thread
(``kiosk.worker.CoreWorker``), never on the UI thread.  It returns plain values
(``kiosk.models``); how to show them is the screens' business.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import sqlite_utils

from kiosk.directory import Directory
from kiosk.messages import MessageStore
from kiosk.models import (
    BadgeOutcome,
    Contact,
    Message,
    MessageSummary,
    OutcomeKind,
    Punch,
    SentMessage,
)
from kiosk.punches import PunchBook
from kiosk.retention import PruneResult, prune_expired
from kiosk.site_settings import SiteSettings
from kiosk.storage import open_database

log = logging.getLogger(__name__)


class Terminal:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.directory = Directory(db)
        self.punches = PunchBook(db)
        self.messages = MessageStore(db)
        # Replaced whole (never mutated) by the runtime when the config or the server's
        # site settings change; read on the core worker thread.
        self.settings = SiteSettings()

    @classmethod
    def open(cls, database_path: Path) -> Terminal:
        return cls(open_database(database_path))

    def present_badge(self, badge: str) -> BadgeOutcome:
        """Identify the badge's holder and record their punch at once."""
        owner = self.directory.badge_owner(badge)
        if owner is None:
            return BadgeOutcome(OutcomeKind.UNKNOWN_BADGE)
        if not owner.badge_active or not owner.employee.active:
            return BadgeOutcome(OutcomeKind.DISABLED, employee=owner.employee)
        punch = self.punches.record(owner.employee.id)
        return BadgeOutcome(
            OutcomeKind.WELCOME, employee=owner.employee, punch=punch,
            unread=self.messages.unread_count(owner.employee.id),
        )

    def switch_punch(self, punch_id: str) -> Punch:
        return self.punches.switch(punch_id)

    def undo_punch(self, punch_id: str) -> None:
        self.punches.void(punch_id)

    def inbox(
        self, employee_id: int, before: MessageSummary | None = None
    ) -> list[MessageSummary]:
        return self.messages.inbox(employee_id, before=before)

    def open_message(self, message_id: str, employee_id: int) -> Message | None:
        return self.messages.open(message_id, employee_id)

    def acknowledge(self, message_id: str, employee_id: int) -> datetime | None:
        return self.messages.acknowledge(message_id, employee_id)

    def contacts(self, employee_id: int) -> list[Contact]:
        return self.directory.contacts_of(employee_id)

    def send_message(
        self, sender_id: int, to_employees: list[int], to_groups: list[int], body: str,
        reply_to: str | None = None,
    ) -> str:
        """Queue a message (raises ``SendRefused`` before writing anything)."""
        return self.messages.send(sender_id, to_employees, to_groups, body, reply_to)

    def sent(self, employee_id: int) -> list[SentMessage]:
        return self.messages.sent(employee_id)

    def prune_expired(self) -> PruneResult:
        """Forget expired messages and the attachments nothing uses any more."""
        result = prune_expired(self.db)
        if result.messages or result.attachments:
            log.info("pruned %d expired messages, %d attachments",
                     result.messages, result.attachments)
        return result

    def close(self) -> None:
        self.db.conn.close()
