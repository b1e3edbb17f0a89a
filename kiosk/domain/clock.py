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
