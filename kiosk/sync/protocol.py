"""What the terminal knows of protocol version 1: the header, the codes, and whom to trust.

The version, the header and the codes are the ones the server uses too
(``contract.protocol``, ``contract.error_codes``); this module groups the codes by what
the terminal does about them.

Whom to trust (docs/sync-protocol.md, "Trust"): a refusal is final only when it is our
server's, that is an answer carrying the ``X-Kiosk-Protocol`` header whose body is
``{"error": {"code": <one of these codes>, ...}}``. Proxies, firewalls and captive
portals answer with their own pages and statuses; any such answer means "try later".
"""

from __future__ import annotations

import datetime
import email.utils
import json
import math
import time
from collections.abc import Mapping
from typing import Any

from contract import error_codes as codes
from contract.backoff import MAX_RETRY_AFTER_S
from contract.protocol import MAX_PUSH_BYTES, PROTOCOL_HEADER, PROTOCOL_VERSION

__all__ = ["PROTOCOL_HEADER", "PROTOCOL_VERSION"]

PROTOCOL_CODES = codes.REQUEST_CODES | codes.ITEM_CODES

# Codes of our server that still mean "try later": a fault of the moment (internal
# error), a limit that passes (rate, upload quota), or bytes damaged on the way
# (malformed JSON: the terminal's own JSON is always well formed).
LATER_CODES = frozenset({codes.INTERNAL_ERROR, codes.RATE_LIMITED, codes.UPLOAD_QUOTA_EXCEEDED,
                         codes.MALFORMED_JSON, codes.SIGNATURE_STALE})
# Our server's refusals of a whole push that a smaller batch may get past: too big,
# or an envelope it cannot read (splitting is the only way to find which one).
SPLIT_CODES = frozenset({codes.PAYLOAD_TOO_LARGE, codes.INVALID_REQUEST})
# Our server's final refusals of an upload: the bytes are wrong and will stay wrong;
# the server's verdict on the message that names them settles it.
UPLOAD_FINAL_CODES = frozenset({codes.INVALID_IMAGE, codes.CONTENT_MISMATCH,
                                codes.SHA256_MISMATCH, codes.PAYLOAD_TOO_LARGE,
                                codes.UNSUPPORTED_MEDIA_TYPE})
# A signature refused means the token is not this terminal's any more (its key is
# gone or another's): like a token refused, only a new enrollment helps. A stale one
# (the clock) is "try later": the client takes the server's time from the answer.
NOT_ENROLLED_CODES = frozenset({codes.AUTH_REQUIRED, codes.INVALID_TOKEN, codes.TOKEN_EXPIRED,
                                codes.SIGNATURE_REQUIRED, codes.SIGNATURE_INVALID})



def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, whatever its case (``requests`` headers already ignore case;
    a plain dict from a test does not)."""
    if name in headers:
        return headers[name]
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def stamped(headers: Mapping[str, str]) -> bool:
    """Whether the answer carries the protocol header, which our server puts on every
    answer it sends (whatever the version: a newer server saying so is still ours)."""
    return header(headers, PROTOCOL_HEADER) is not None


def server_error(headers: Mapping[str, str],
                 body: bytes) -> tuple[str, str, dict[str, Any]] | None:
    """(code, message, the whole error object) when this error answer is our server's,
    else None."""
    if not stamped(headers):
        return None
    try:
        error = json.loads(body)["error"]
        code, message = error["code"], error.get("message", "")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    if not isinstance(code, str) or code not in PROTOCOL_CODES:
        return None
    return code, str(message), error


def blames_the_item(code: str, detail: Mapping[str, Any], item_bytes: int) -> bool:
    """Whether our server's refusal of a push of ONE item is that item's fault (then it
    is final for it), or the server's state (a body limit set too low, a check changed):
    then every item would be refused alike, and none may be marked.

    A 413 blames the item when the item alone is over the ``limit`` the server names and
    that limit is at least what the protocol promises (``MAX_PUSH_BYTES``): below it, the
    server is misconfigured. A 422 blames it when one of its ``details`` points into the
    item (``body.items.0...``)."""
    if code == codes.PAYLOAD_TOO_LARGE:
        limit = number(detail.get("limit"))
        return limit is not None and limit >= MAX_PUSH_BYTES and item_bytes > limit
    if code == codes.INVALID_REQUEST:
        details = detail.get("details")
        if not isinstance(details, list):
            return False
        return any(isinstance(d, dict) and isinstance(d.get("loc"), list)
                   and [str(part) for part in d["loc"][:3]] == ["body", "items", "0"]
                   for d in details)
    return False


def retry_after_s(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds, or an HTTP-date (read
    against this terminal's clock, the only one at hand); capped at MAX_RETRY_AFTER_S."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment is None:
            return None
        if moment.tzinfo is None:  # asctime and "-0000" dates: HTTP dates are in GMT
            moment = moment.replace(tzinfo=datetime.UTC)
        seconds = moment.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER_S)


def describe_foreign(status: int, headers: Mapping[str, str]) -> str:
    """A short description of an answer that is not our server's, for logs and the
    admin screen: its status and media type, never its body."""
    kind = (header(headers, "Content-Type") or "no content type").split(";")[0].strip()
    return f"HTTP {status} from something other than the kiosk server ({kind[:40]})"


def number(value: Any) -> float | None:
    """A JSON number as a float, None for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        value = float(value)
    except OverflowError:  # an integer beyond any float: not a number we can use
        return None
    return float(value) if math.isfinite(value) else None
