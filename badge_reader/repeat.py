"""Duplicate suppression while a card stays on the reader.

RDM-style readers repeat the frame every ~0.5 s for as long as the card is in
the field. A held card must produce one read; a card taken away and presented
again must produce another.
"""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_REPEAT_WINDOW = 1.0


class RepeatFilter:
    """Accepts an id unless the same id was seen less than ``window`` seconds ago.

    "Seen" counts every frame, including suppressed ones: a card held for a
    minute keeps refreshing its timestamp and is reported once. Only after
    ``window`` seconds without any frame of that id is it reported again.
    ``clock`` is injectable for tests; not thread-safe (one reader thread owns it).
    """

    def __init__(
        self, window: float = DEFAULT_REPEAT_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if window < 0:
            raise ValueError("repeat window must not be negative")
        self.window = window
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def accept(self, badge: str, at: float | None = None) -> bool:
        """Record a frame of ``badge`` (at time ``at``, default now); True if it is a new read."""
        now = self._clock() if at is None else at
        # Forget ids whose window has passed so the table stays small.
        expired = [seen for seen, last in self._last_seen.items() if now - last >= self.window]
        for seen in expired:
            del self._last_seen[seen]
        is_new = badge not in self._last_seen
        self._last_seen[badge] = now
        return is_new
