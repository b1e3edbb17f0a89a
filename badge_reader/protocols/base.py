"""What every reader protocol shares: callbacks, reject reasons and accounting.

A protocol is push-based, in the style of ``serial.threaded.Protocol``: the
owner pushes input in (``data_received(bytes)`` for serial protocols,
``key_event(code, value)`` for the keyboard wedge) and the protocol calls
``on_read(BadgeRead)`` for each valid frame and ``on_reject(reason, raw)`` for
everything it had to throw away. A protocol never opens a device, never starts
a thread and never sleeps, so tests drive it by feeding input directly.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from enum import StrEnum

from badge_reader.read import BadgeRead

logger = logging.getLogger(__name__)

ReadCallback = Callable[[BadgeRead], None]
RejectCallback = Callable[[str, bytes], None]
Clock = Callable[[], float]


class RejectReason(StrEnum):
    """Why input was discarded. Values are stable strings for diagnostics screens."""

    NOISE = "noise"  # bytes outside any frame
    STRAY_ETX = "stray-etx"  # bytes ending in ETX with no STX before them
    RESTARTED = "restarted"  # a second STX arrived inside an unfinished frame
    BAD_LENGTH = "bad-length"  # frame or line too short or too long
    BAD_CHARACTERS = "bad-characters"  # not hex / not decimal / not ASCII
    BAD_CHECKSUM = "bad-checksum"
    OVERFLOW = "overflow"  # a line grew past the cap without a terminator
    TRUNCATED = "truncated"  # input stopped mid-frame (connection lost, typing pause)


class FrameError(ValueError):
    """Raised by the pure decoding functions; ``reason`` is a RejectReason."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


# Rejected input is handed to on_reject for diagnostics; keep at most this much
# of it so that megabytes of noise never turn into megabyte-sized callbacks.
MAX_REJECT_SAMPLE = 64


class BadgeProtocol:
    """Base class holding the callbacks and the per-reason reject counter.

    Subclasses set ``name`` (the registry name) and call ``_emit`` / ``_reject``.
    """

    name = "base"

    def __init__(
        self,
        on_read: ReadCallback,
        on_reject: RejectCallback | None = None,
        *,
        clock: Clock = time.monotonic,
    ) -> None:
        self._on_read = on_read
        self._on_reject = on_reject
        self._clock = clock
        #: Count of rejected frames per RejectReason since construction.
        self.reject_counts: Counter[str] = Counter()

    def connection_made(self, transport: object) -> None:
        """Accepted for compatibility with ``serial.threaded``; nothing to do."""

    def connection_lost(self, exc: BaseException | None) -> None:
        """The input ended; subclasses report any unfinished frame as truncated."""

    def _emit(self, badge: str, raw: bytes) -> None:
        self._on_read(BadgeRead(badge=badge, protocol=self.name, raw=raw, monotonic=self._clock()))

    def _reject(self, reason: RejectReason, raw: bytes) -> None:
        self.reject_counts[reason] += 1
        # Privacy rule: log the reason and size only, never the bytes (they hold ids).
        logger.debug("%s: rejected %d bytes (%s)", self.name, len(raw), reason)
        if self._on_reject is not None:
            self._on_reject(str(reason), bytes(raw[:MAX_REJECT_SAMPLE]))
