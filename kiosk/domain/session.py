"""A worker's session at the terminal: who, since when, and until when they may change the punch.

Pure state with an explicit ``now`` (monotonic seconds), so the rules are tested
without waiting.  The station owns one at a time and drops it on inactivity or
at the next badge.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kiosk.domain.models import Employee, Punch


@dataclass(frozen=True)
class SessionPolicy:
    timeout_s: float = 30.0
    punch_undo_s: float = 8.0


@dataclass
class Session:
    employee: Employee
    punch: Punch | None
    opened_at: float
    policy: SessionPolicy = field(default_factory=SessionPolicy)
    last_activity: float = 0.0
    punch_undone: bool = False
    # The message cache had no key when the badge was read: the message screens say
    # "available when the terminal is back online" instead of showing nothing.
    messages_locked: bool = False

    def __post_init__(self) -> None:
        self.last_activity = max(self.last_activity, self.opened_at)
        self._undo_deadline = self.opened_at + self.policy.punch_undo_s

    def touch(self, now: float) -> None:
        self.last_activity = now

    def expired(self, now: float) -> bool:
        return now - self.last_activity >= self.policy.timeout_s

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.policy.timeout_s - (now - self.last_activity))

    def can_change_punch(self, now: float) -> bool:
        return self.punch is not None and not self.punch_undone and now < self._undo_deadline

    def punch_switched(self, new_punch: Punch) -> None:
        self.punch = new_punch

    def punch_voided(self) -> None:
        self.punch_undone = True

    def renewed(self, punch: Punch | None) -> Session:
        return replace(self, punch=punch)
