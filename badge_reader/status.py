"""Reader connection status, reported to the UI without badge ids."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from enum import StrEnum


class ReaderState(StrEnum):
    """Where a reader thread is in its connect / read / reconnect cycle."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"


@dataclass(frozen=True)
class ReaderStatus:
    """A status change: ``state`` plus a message fit to show to a person.

    The message names the port or device but never contains a badge id.
    """

    state: ReaderState
    message: str


_BUSY_ERRNOS = {errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK}


def describe_open_error(exc: BaseException, port: str) -> str:
    """Turn the exception raised while opening ``port`` into a short message."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, FileNotFoundError) or code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return f"Reader not found on {port}"
    if code in _BUSY_ERRNOS:
        return f"Port busy: {port} is in use by another program"
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return f"Permission denied on {port} (is this user in the dialout/input group?)"
    if isinstance(exc, ImportError):
        return "python-evdev is not installed (pip install evdev)"
    return f"Cannot open {port} ({type(exc).__name__})"


def describe_read_error(exc: BaseException, port: str) -> str:
    """Message for a reader that failed after it had been connected."""
    return f"Reader disconnected from {port} ({type(exc).__name__})"
