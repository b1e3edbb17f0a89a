"""The reader's recent raw frames and its counters, for the admin screen and ``kiosk doctor``.

A reader that "does nothing" is the most common call to site IT: wrong baud
rate, wrong protocol, a card the reader cannot decode, a cable that adds noise.
The last few frames as received (hex), each with whether it was accepted and
why not, answer that on the spot.  Frames hold badge ids: they stay in memory,
are shown on the admin screen only, and are never logged (``repr`` hides them).

Written by the reader thread, read by any other thread: every method takes a lock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

KEEP_FRAMES = 10
# What became of a frame.
ACCEPTED, REPEAT, REJECTED = "accepted", "repeat", "rejected"


@dataclass(frozen=True)
class RawFrame:
    """One frame as the reader sent it: ``outcome`` is ACCEPTED, REPEAT (the card was still
    on the reader: ignored by the repeat filter) or REJECTED (``reason``: a RejectReason)."""

    wall_time: float  # time.time() when the frame completed
    data: bytes = field(repr=False)  # holds the badge id: never in a log line
    outcome: str = ACCEPTED
    reason: str = ""
    protocol: str = ""

    @property
    def hex(self) -> str:
        """The bytes as spaced upper-case hex pairs: ``02 30 46 ...``."""
        return self.data.hex(" ").upper()

    @property
    def accepted(self) -> bool:
        return self.outcome == ACCEPTED


@dataclass(frozen=True)
class FrameSnapshot:
    """A copy of the log at one moment: frames newest first, and counts since the start."""

    frames: tuple[RawFrame, ...] = ()
    accepted: int = 0
    repeats: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # per reason

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


class FrameLog:
    """A small ring of the last ``size`` frames plus counters; thread-safe."""

    def __init__(self, size: int = KEEP_FRAMES, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._frames: deque[RawFrame] = deque(maxlen=size)
        self._accepted = 0
        self._repeats = 0
        self._rejected: Counter[str] = Counter()

    def record(self, data: bytes, outcome: str, reason: str = "", protocol: str = "") -> None:
        frame = RawFrame(self._clock(), bytes(data), outcome, reason, protocol)
        with self._lock:
            self._frames.append(frame)
            if outcome == ACCEPTED:
                self._accepted += 1
            elif outcome == REPEAT:
                self._repeats += 1
            else:
                self._rejected[reason] += 1

    def snapshot(self) -> FrameSnapshot:
        with self._lock:
            return FrameSnapshot(tuple(reversed(self._frames)), self._accepted, self._repeats,
                                 dict(self._rejected))
