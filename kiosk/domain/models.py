"""Plain values the core hands to the screens: employees, punches, messages, badge outcomes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # sketch pulls in Pillow: not at start-up
    from sketch.model import Drawing


class Direction(StrEnum):
    IN = "IN"
    OUT = "OUT"

    def flipped(self) -> Direction:
        return Direction.OUT if self is Direction.IN else Direction.IN


@dataclass(frozen=True)
class Employee:
    id: int
    first_name: str
    last_name: str
    language: str
    role: str = "worker"
    active: bool = True

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Punch:
    id: str
    employee_id: int
    direction: Direction
    wall_time: datetime
    monotonic_ns: int
    boot_id: str


# The inbox loads this many messages at a time, older pages as the list is scrolled to its end.
INBOX_PAGE = 100


@dataclass(frozen=True)
class MessageSummary:
    """One line of the inbox."""

    id: str
    sender_name: str
    kind: str
    preview: str
    created_at: datetime
    unread: bool
    ack_required: bool
    # As on ``Message``: the photo (or the drawing's PNG); its type once it is here.
    attachment_sha256: str | None = None
    attachment_type: str | None = None
    group_name: str | None = None  # a group conversation: the group's name
    reply_allowed: bool = True  # False: an announcement (no answer expected)
    # Acknowledgement asked and not given yet: such lines come first in the inbox.
    to_acknowledge: bool = False


@dataclass(frozen=True)
class Message:
    id: str
    sender_name: str
    kind: str
    body: str
    created_at: datetime
    ack_required: bool
    reply_allowed: bool
    read_at: datetime | None
    acked_at: datetime | None
    sender_id: int | None = None  # whom a reply goes to (None: an admin with no account)
    # A photo, or a drawing's rendered PNG, kept in the attachments table by sha256
    # (``Station.load_attachment`` fetches the bytes; None until the pull brought them).
    attachment_sha256: str | None = None
    attachment_type: str | None = None  # "image/jpeg" or "image/png"
    # The conversation before it (oldest first, the last few): what is being answered.
    earlier: tuple[ThreadEntry, ...] = ()


@dataclass(frozen=True)
class ThreadEntry:
    """An earlier message of a conversation, as the message view recalls it."""

    sender_name: str
    body: str
    kind: str
    created_at: datetime
    mine: bool  # written by the worker reading


@dataclass(frozen=True)
class PhotoAttachment:
    """A photo to send: an outbox-ready JPEG (``kiosk.photos.prepare_photo``'s output)."""

    data: bytes = field(repr=False)  # never in a log line
    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class DrawingAttachment:
    """A finger drawing to send; ``background`` (a JPEG) when it annotates a photo."""

    drawing: Drawing
    background: bytes | None = field(default=None, repr=False)


Attachment = PhotoAttachment | DrawingAttachment


@dataclass(frozen=True)
class StagedAttachment:
    """An attachment checked and rendered (``kiosk.domain.message_attachments.stage``, on the
    media thread), ready for the message's transaction on the core worker."""

    kind: str  # the message's kind: "photo" or "drawing"
    data: bytes = field(repr=False)  # kept in the attachments table (photo, or drawing PNG)
    content_type: str
    payload: dict[str, Any] = field(repr=False)  # merged into the outbox payload

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Contact:
    """Someone, or a group, a worker may write to (HR decides, the sync brings the list)."""

    kind: str  # "employee" or "group"
    id: int
    name: str


class SendStatus(StrEnum):
    SENDING = "sending"  # still in the terminal's outbox
    PENDING = "pending"  # the server has it; waiting for moderation
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SentMessage:
    """One of the worker's own messages and how far it got."""

    id: str
    body: str
    created_at: datetime
    status: SendStatus
    reason: str = ""  # why it was rejected (moderation, or the server refusing the item)
    kind: str = "text"  # "text", "photo" or "drawing"
    recipients: tuple[str, ...] = ()  # who it went to: people's names, then groups'
    group_count: int = 0  # how many of ``recipients`` (the last ones) are groups


class SendRefused(ValueError):
    """A message the terminal will not queue; ``code`` says why (the screens translate it)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class OutcomeKind(StrEnum):
    WELCOME = "welcome"
    UNKNOWN_BADGE = "unknown_badge"
    DISABLED = "disabled"
    STORAGE_ERROR = "storage_error"
    ADMIN = "admin"  # an admin badge: asks for the PIN; no punch, no worker session


@dataclass(frozen=True)
class BadgeOutcome:
    """What presenting a badge did. The screen decides how to show it."""

    kind: OutcomeKind
    employee: Employee | None = None
    punch: Punch | None = None
    unread: int = 0
    detail: str = ""
    admin_pin_set: bool = False  # ADMIN: whether a PIN is configured (else it cannot open)
    # WELCOME: the message cache has no key yet (server unreachable since boot, or this
    # terminal revoked): the punch is recorded, messages wait until it is back online.
    messages_locked: bool = False
    # WELCOME: the message put first, the newest awaiting this worker's acknowledgement.
    to_acknowledge: str | None = None
