"""Exponential backoff with full jitter, honouring a server's Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sync.protocol import MAX_RETRY_AFTER_S


@dataclass
class Backoff:
    base_s: float = 0.5
    cap_s: float = 60.0
    _failures: int = 0
    _rng: random.Random = field(default_factory=random.Random)

    def failure(self, retry_after_s: float | None = None) -> float:
        """Record a failure; returns how long to wait before the next try."""
        self._failures += 1
        ceiling = min(self.cap_s, self.base_s * 2 ** (self._failures - 1))
        # Full jitter spreads a fleet of terminals that lost the server together.
        delay = self._rng.uniform(ceiling / 2, ceiling)
        if retry_after_s is not None:  # the server's word, up to a sane cap (10 min)
            delay = max(delay, min(retry_after_s, MAX_RETRY_AFTER_S))
        return delay

    def success(self) -> None:
        self._failures = 0

    @property
    def failures(self) -> int:
        return self._failures
