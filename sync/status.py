"""What the sync worker tells the screens: online or not, and why; outbox depth; clock offset."""

from __future__ import annotations

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
