"""What can go wrong talking to the server, sorted by what the terminal does about it."""

from __future__ import annotations


class SyncError(Exception):
    """Base of sync failures."""


class ServerUnavailable(SyncError):
    """Network down, timeout, 5xx or 429: try again later (after ``retry_after_s`` if given)."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TerminalRevoked(SyncError):
    """The server revoked this terminal: stop syncing, keep the outbox, say so on screen."""


class NotEnrolled(SyncError):
    """No valid token: the terminal must be enrolled again."""


class IncompatibleServer(SyncError):
    """The server speaks no protocol version this terminal knows."""


class RequestRefused(SyncError):
    """A 4xx on a whole request: a bug or a contract mismatch, not a network problem."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.code = code
        self.status = status


class AttachmentInvalid(SyncError):
    """A downloaded attachment is not what was asked for (wrong hash, too big, not an
    image): it is not stored; a later pull tries again."""
