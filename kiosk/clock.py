"""Time stamps for punches: wall time, monotonic time and the boot they belong to.

Wall time can jump (NTP, a wrong RTC); the monotonic time and boot id let the
server order punches of one boot even when the wall clock was off.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sync.status import SyncState, SyncStatus

_BOOT_ID_PATH = Path("/proc/sys/kernel/random/boot_id")


@cache
def boot_id() -> str:
    try:
        return _BOOT_ID_PATH.read_text().strip()
    except OSError:
        # No procfs (not Linux): one id per process is the best we can promise.
        return f"process-{uuid.uuid4()}"


def wall_now() -> datetime:
    """Local wall time with its UTC offset."""
    return datetime.now().astimezone()


def monotonic_ns() -> int:
    return time.monotonic_ns()


def utc_now_iso() -> str:
    """Now in UTC as ISO 8601: the form stored where text order must be time order."""
    return datetime.now(UTC).isoformat()


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
