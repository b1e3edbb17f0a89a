"""Checking a terminal's request signature (contract.request_signing).

A terminal whose public key the server holds must sign every authenticated request with
its private key: a token copied off a stolen disk or a log, used from another machine
without the key, is refused (``signature_required``, ``signature_invalid``).
"""

from __future__ import annotations

import base64
import binascii
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contract import error_codes as errors
from contract.request_signing import (
    CLOCK_WINDOW_S,
    SIGNATURE_HEADER,
    TIME_HEADER,
    signed_message,
)
from server.errors import ApiError

MAX_TIME_CHARS = 12


def check_signature(public_key: bytes, method: str, path: str, signature: str | None,
                    timestamp: str | None, body: bytes, token: str,
                    now: float | None = None) -> None:
    """Refuse the request unless ``signature`` is the terminal's, over this request,
    made within ``CLOCK_WINDOW_S`` of the server's clock."""
    if not signature or not timestamp:
        raise ApiError(errors.SIGNATURE_REQUIRED,
                       f"this terminal signs its requests: send {SIGNATURE_HEADER} and "
                       f"{TIME_HEADER}; a token alone is refused")
    timestamp = timestamp.strip()
    if len(timestamp) > MAX_TIME_CHARS or not timestamp.isascii() or not timestamp.isdigit():
        raise ApiError(errors.SIGNATURE_INVALID, f"{TIME_HEADER} must be Unix seconds")
    now = time.time() if now is None else now
    if abs(int(timestamp) - now) > CLOCK_WINDOW_S:
        raise ApiError(errors.SIGNATURE_STALE,
                       f"the signed time is more than {CLOCK_WINDOW_S} s from the server's "
                       "clock; sign with the time of the Date header",
                       server_time=int(now))
    try:
        raw = base64.urlsafe_b64decode(signature.strip() + "=" * (-len(signature.strip()) % 4))
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            raw, signed_message(method, path, int(timestamp), body, token))
    except (InvalidSignature, ValueError, binascii.Error):
        raise ApiError(errors.SIGNATURE_INVALID, "the request signature is not this "
                       "terminal's; enroll the terminal again") from None
