"""The value every reader family produces: one accepted badge read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BadgeRead:
    """One badge presented to a reader.

    ``badge`` is the canonical id: for EM4100 frames the 10 upper-case hex
    characters; for line and wedge readers the id as sent (hex upper-cased,
    decimal digits unchanged, leading zeros kept). ``protocol`` is the registry
    name that decoded it, ``raw`` the bytes of the frame or line as received
    (for diagnostics only: it contains the id, so it must never be logged), and
    ``monotonic`` the ``time.monotonic()`` value at which the frame completed.
    """

    badge: str
    protocol: str
    raw: bytes
    monotonic: float

    def __repr__(self) -> str:
        # Keep ids out of accidental log lines and tracebacks that repr() values.
        return f"BadgeRead(badge=<{len(self.badge)} chars>, protocol={self.protocol!r})"
