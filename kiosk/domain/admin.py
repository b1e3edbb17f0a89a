"""The admin session: an admin badge, then the PIN, then the admin screen.

Pure state with an explicit ``now`` (monotonic seconds), like ``kiosk.domain.session``.
The station owns one ``AdminGate`` for the life of the process, so that badging
again does not reset the count of wrong PINs, and at most one ``AdminSession``
(instead of a worker's session).  The PIN itself is checked on the core worker
(``Terminal.check_admin_pin``): PBKDF2 takes tens of milliseconds by design.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_WRONG_PINS = 3
LOCKOUT_S = 60.0


class PinCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    NOT_SET = "not_set"  # no admin PIN configured: the admin screen cannot open
    LOCKED = "locked"  # too many wrong PINs, maybe before a restart: nothing was checked


@dataclass(frozen=True)
class AdminPinState:
    """What the PIN screen shows: whether a PIN exists, the last verdict, the lockout."""

    pin_set: bool
    wrong: bool = False  # the last PIN entered was wrong
    tries_left: int = MAX_WRONG_PINS
    locked_for_s: float = 0.0  # > 0: no PIN is checked before this many seconds


class AdminGate:
    """Counts wrong PINs: ``MAX_WRONG_PINS`` in a row lock the PIN pad for ``LOCKOUT_S``."""

    def __init__(self, max_wrong: int = MAX_WRONG_PINS, lockout_s: float = LOCKOUT_S) -> None:
        self.max_wrong = max_wrong
        self.lockout_s = lockout_s
        self._wrong = 0
        self._locked_until = 0.0

    def locked_for(self, now: float) -> float:
        return max(0.0, self._locked_until - now)

    def tries_left(self) -> int:
        return self.max_wrong - self._wrong

    def lock(self, now: float, seconds: float = LOCKOUT_S) -> None:
        """Locked by the count kept on disk (wrong PINs before a restart)."""
        self._wrong = 0
        self._locked_until = max(self._locked_until, now + seconds)

    def record(self, ok: bool, now: float) -> None:
        if ok:
            self._wrong = 0
            return
        self._wrong += 1
        if self._wrong >= self.max_wrong:
            self._wrong = 0
            self._locked_until = now + self.lockout_s


@dataclass
class AdminSession:
    """An admin at the terminal: ``unlocked`` once the PIN was right.  It ends like a
    worker's session: after ``timeout_s`` without a touch, or at the next badge."""

    opened_at: float
    timeout_s: float
    pin_set: bool
    unlocked: bool = False
    checking: bool = False  # a PIN is on its way to the core worker
    last_activity: float = 0.0

    def __post_init__(self) -> None:
        self.last_activity = max(self.last_activity, self.opened_at)

    def touch(self, now: float) -> None:
        self.last_activity = now

    def expired(self, now: float) -> bool:
        return now - self.last_activity >= self.timeout_s

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.timeout_s - (now - self.last_activity))
