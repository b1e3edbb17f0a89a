"""Constants and shapes shared by every endpoint of protocol version 1."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
PROTOCOL_HEADER = "X-Kiosk-Protocol"

MAX_BATCH_ITEMS = 500
MAX_BODY_CHARS = 4000
MAX_NAME_CHARS = 120
MAX_REASON_CHARS = 500
MAX_RECIPIENT_EMPLOYEES = 200
MAX_RECIPIENT_GROUPS = 50
MAX_WAIT_SECONDS = 25
MAX_DRAWING_STROKES = 500
MAX_STROKE_POINTS = 5000

SHA256_PATTERN = r"^[0-9a-f]{64}$"
ATTACHMENT_CONTENT_TYPES: tuple[str, ...] = ("image/jpeg", "image/png")

Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN, description="lowercase hex sha256")]
MAX_INT32 = 2**31 - 1  # integer ids are 32-bit columns on PostgreSQL
MAX_INT64 = 2**63 - 1
EmployeeId = Annotated[int, Field(ge=1, le=MAX_INT32)]
GroupId = Annotated[int, Field(ge=1, le=MAX_INT32)]


class WireModel(BaseModel):
    """Base of every wire model: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    """The ``error`` object. ``code`` is stable snake_case; extra keys give context."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorBody(BaseModel):
    """Every non-2xx response body (and every rejected push item) carries this."""

    error: ErrorDetail


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """Build the canonical error body as a plain dict."""
    return {"error": {"code": code, "message": message, **extra}}
