"""Exponential reconnect delays for reader threads."""

from __future__ import annotations


class Backoff:
    """Delays ``initial``, 2x, 4x, ... capped at ``maximum``; ``reset()`` after a success."""

    def __init__(self, initial: float = 0.2, maximum: float = 5.0) -> None:
        if not 0 < initial <= maximum:
            raise ValueError("need 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
        self._next = initial

    def next_delay(self) -> float:
        """The delay to wait now; doubles the following one up to the cap."""
        delay = self._next
        self._next = min(self._next * 2, self.maximum)
        return delay

    def reset(self) -> None:
        """Start again from ``initial`` (call once a connection succeeded)."""
        self._next = self.initial
