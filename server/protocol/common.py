"""Constants and shapes shared by every endpoint of protocol version 1."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from contract.drawing import MAX_DRAWING_POINTS, MAX_STROKE_POINTS, MAX_STROKES
from contract.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION

__all__ = ["MAX_DRAWING_POINTS", "MAX_STROKE_POINTS", "PROTOCOL_HEADER", "PROTOCOL_VERSION"]

SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
# What a header value may be before it is parsed at all: ASCII digits, short.
PROTOCOL_HEADER_PATTERN = re.compile(r"[0-9]{1,4}")
# A bearer token as the server makes them (secrets.token_urlsafe), with room to spare.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,128}")
# An Ed25519 public key (contract.request_signing), 32 bytes in lowercase hex.
PUBLIC_KEY_PATTERN = r"^[0-9a-f]{64}$"

MAX_BATCH_ITEMS = 500
MAX_BODY_CHARS = 4000
MAX_NAME_CHARS = 120
MAX_REASON_CHARS = 500
MAX_RECIPIENT_EMPLOYEES = 200
MAX_RECIPIENT_GROUPS = 50
MAX_WAIT_SECONDS = 25
MAX_DRAWING_STROKES = MAX_STROKES

# Pictures a terminal uploads or shows: photos are about 1600 px, drawings at most 4096.
MAX_PICTURE_SIDE = 4096
MAX_PICTURE_PIXELS = 4096 * 4096

SHA256_PATTERN = r"^[0-9a-f]{64}$"
ATTACHMENT_CONTENT_TYPES: tuple[str, ...] = ("image/jpeg", "image/png")

Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN, description="lowercase hex sha256")]
MAX_INT32 = 2**31 - 1  # integer ids are 32-bit columns on PostgreSQL
MAX_INT64 = 2**63 - 1
EmployeeId = Annotated[int, Field(ge=1, le=MAX_INT32)]
GroupId = Annotated[int, Field(ge=1, le=MAX_INT32)]


def _representable_in_utc(value: datetime) -> datetime:
    """Refuse an aware time that has no UTC equivalent (year 1 east of UTC, year 9999
    west of it): it could be neither stored nor compared. The value keeps its offset."""
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("time out of range once converted to UTC") from None
    return value


def _iso_text(value: Any) -> Any:
    """A time on the wire is ISO 8601 text: pydantic alone would also take a number as
    seconds since 1970, which no terminal sends."""
    if not isinstance(value, str):
        raise ValueError("a time is ISO 8601 text with an offset")
    return value


# Every time a terminal sends: ISO 8601 text with an offset, convertible to UTC.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text),
                    AfterValidator(_representable_in_utc)]


class WireModel(BaseModel):
    """Base of every wire model: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


def _unstorable(text: str) -> bool:
    """A NUL, or a lone surrogate (valid in JSON escapes, not in UTF-8): no database
    stores either, and no person types one."""
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _has_unstorable_text(value: Any) -> bool:
    if type(value) is str:
        return _unstorable(value)
    if type(value) in (list, tuple):
        return any(_unstorable(v) for v in value if type(v) is str)
    return False


class RequestModel(WireModel):
    """Base of what clients send: no text may hold a NUL character or a lone surrogate
    (PostgreSQL cannot store a NUL, UTF-8 has no surrogates, and no person types
    either). Each model checks its own fields and lists of strings; nested models check
    theirs, and a plain ``dict`` (a push item's payload) is left to the model that
    validates it later, so a bad item is refused alone."""

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(_has_unstorable_text(v) for v in data.values()):
            raise ValueError("text must not contain NUL characters or lone surrogates")
        return data


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
