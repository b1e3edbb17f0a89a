"""Plain values the core hands to the screens: employees, punches, messages, badge outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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


class OutcomeKind(StrEnum):
    WELCOME = "welcome"
    UNKNOWN_BADGE = "unknown_badge"
    DISABLED = "disabled"
    STORAGE_ERROR = "storage_error"


@dataclass(frozen=True)
class BadgeOutcome:
    """What presenting a badge did. The screen decides how to show it."""

    kind: OutcomeKind
    employee: Employee | None = None
    punch: Punch | None = None
    unread: int = 0
    detail: str = ""
