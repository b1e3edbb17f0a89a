"""What the sync worker tells the screens: online or not, and why; outbox depth; clock offset."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum


class SyncState(StrEnum):
    DISABLED = "disabled"          # no server configured: offline-only terminal
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"            # server unreachable; retrying with backoff
    REVOKED = "revoked"            # the server revoked this terminal; outbox kept
    NOT_ENROLLED = "not_enrolled"
    INCOMPATIBLE = "incompatible"  # the server speaks another protocol version


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState
    message: str = ""
    outbox_depth: int = 0
    rejected: int = 0
    last_rejection: str = ""
    clock_offset_s: float | None = None  # server minus terminal
    # When the offset was measured: (time.time(), time.monotonic()) then. A wall clock
    # set forward or back since then shows as the two having moved apart.
    clock_measured_at: tuple[float, float] | None = None

    def clock_warning(self, threshold_s: float) -> bool:
        return self.clock_offset_s is not None and abs(self.clock_offset_s) > threshold_s


# No server to compare with: the terminal's own clock is all there is.
_NO_SERVER = frozenset({SyncState.DISABLED})


def server_offset(status: SyncStatus | None, clock_warning_s: float) -> float | None:
    """Seconds to add to this terminal's clock to get the server's time, when that can
    be trusted; None when it cannot: the sync has not reported or not measured yet, or
    measured an offset beyond ``clock_warning_s`` (the clock warning is on: a clock that
    far off may jump again), or the wall clock moved by more than that against the
    monotonic clock since the measure (set a year ahead while offline: the old offset no
    longer holds). An offline-only terminal counts on its own clock (0); one that is not
    enrolled (any more) waits to be."""
    if status is None:
        return None
    if status.clock_offset_s is None:
        return 0.0 if status.state in _NO_SERVER else None
    if status.clock_warning(clock_warning_s):
        return None
    if status.clock_measured_at is not None:
        wall, mono = status.clock_measured_at
        if abs((time.time() - wall) - (time.monotonic() - mono)) > clock_warning_s:
            return None
    return status.clock_offset_s
