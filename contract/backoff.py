"""Exponential backoff: how long to wait before trying again, written once.

Every retry the terminal makes follows it: the sync worker (with full jitter, and the
server's Retry-After obeyed up to ``MAX_RETRY_AFTER_S``), the badge reader's reconnects,
and each attachment download that failed (without jitter: one device, one file; a
fleet of terminals that lost the server together is what jitter spreads).  Here
rather than in ``kiosk.sync`` because ``badge_reader`` uses it and imports nothing of
the terminal; the server tells terminals when to retry, so the cap is the protocol's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# Longest a server's Retry-After (or a deferred item's retry_after_s) is obeyed: a
# wrong value (or a date read against a wrong clock) must not park the outbox for days.
MAX_RETRY_AFTER_S = 600.0


def exponential_delay(failures: int, base_s: float, cap_s: float) -> float:
    """``base_s`` after the first failure, then twice as long after each one more, up to
    ``cap_s``."""
    if failures < 1:
        return 0.0
    return min(cap_s, base_s * 2 ** min(failures - 1, 64))


@dataclass
class Backoff:
    """Consecutive failures and the delay each one earns; ``success()`` starts again."""

    base_s: float = 0.5
    cap_s: float = 60.0
    # Full jitter: a delay drawn between half the ceiling and the ceiling.
    jitter: bool = True
    _failures: int = 0
    _rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if not 0 < self.base_s <= self.cap_s:
            raise ValueError(f"backoff needs 0 < base_s <= cap_s, not {self.base_s} and "
                             f"{self.cap_s}")

    def failure(self, retry_after_s: float | None = None) -> float:
        """Record a failure; returns how long to wait before the next try."""
        self._failures += 1
        ceiling = exponential_delay(self._failures, self.base_s, self.cap_s)
        delay = self._rng.uniform(ceiling / 2, ceiling) if self.jitter else ceiling
        if retry_after_s is not None:  # the server's word, up to a sane cap (10 min)
            delay = max(delay, min(retry_after_s, MAX_RETRY_AFTER_S))
        return delay

    def success(self) -> None:
        self._failures = 0

    @property
    def failures(self) -> int:
        return self._failures
