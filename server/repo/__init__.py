"""Data access: small modules of functions taking a SQLAlchemy Connection.

Every function that changes what terminals see records it in the change log
(``changes.record``), so no caller can forget to.
"""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A request the rules refuse. ``code`` is a stable snake_case error code."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def detail(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


class NotFound(Refused):
    """An id given by an admin or a terminal names nothing."""
