"""What can go wrong talking to the server, sorted by what the terminal does about it.

Only our server's answers can end in ``RequestRefused``, ``TerminalRevoked``,
``NotEnrolled`` or ``IncompatibleServer`` (see ``kiosk.sync.protocol``: the protocol header
and a known code); everything else is ``ServerUnavailable``: try later.
"""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """Base of sync failures."""


class ServerUnavailable(SyncError):
    """Try again later (after ``retry_after_s`` if given): network down, timeout, 5xx,
    429, or our server's answer of the moment (``code``: ``rate_limited``...)."""

    def __init__(self, message: str, retry_after_s: float | None = None, *,
                 status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.status = status
        self.code = code


class ForeignAnswer(ServerUnavailable):
    """An answer that is not our server's: a proxy's or firewall's error page, a captive
    portal's login page, a body cut short or of another shape. Nothing it says is
    final: try later."""


class TerminalRevoked(SyncError):
    """The server revoked this terminal: stop syncing, keep the outbox, say so on screen."""


class NotEnrolled(SyncError):
    """No valid token: the terminal must be enrolled again."""


class IncompatibleServer(SyncError):
    """The server speaks no protocol version this terminal knows."""


class RequestRefused(SyncError):
    """Our server refused a whole request with a protocol code (a 4xx): final for
    these bytes, not a network problem."""

    def __init__(self, code: str, message: str, status: int,
                 detail: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.code = code
        self.status = status
        self.detail = detail or {}  # the whole error object (limit, details...)


class AttachmentInvalid(SyncError):
    """A downloaded attachment is not what was asked for (wrong hash, too big, not an
    image): it is not stored; a later pull tries again."""
