"""What a terminal signs on each request, so that a copied token alone is refused.

At enrollment the terminal makes an Ed25519 key pair; the private key stays in its data
folder (0600), the public key is stored by the server. Each authenticated request then
carries the time and an Ed25519 signature of ``signed_message``: the method, the path
with its query, that time, the body's sha256 and the token's sha256. The server checks
it against the stored public key, within ``CLOCK_WINDOW_S`` of its own clock.
Pure functions, no cryptography here: both sides sign or verify with ``cryptography``.
"""

from __future__ import annotations

import hashlib

SIGNATURE_HEADER = "X-Kiosk-Signature"  # base64url of the 64-byte Ed25519 signature
TIME_HEADER = "X-Kiosk-Time"  # Unix time in whole seconds, of the terminal's clock
CLOCK_WINDOW_S = 300  # how far the signed time may be from the server's, either way
PUBLIC_KEY_BYTES = 32


def signed_message(method: str, path: str, timestamp: int, body: bytes, token: str) -> bytes:
    """The bytes signed: one line each, so that no field can run into the next."""
    return "\n".join((
        "kiosk-request-v1", method.upper(), path, str(int(timestamp)),
        hashlib.sha256(body).hexdigest(), hashlib.sha256(token.encode()).hexdigest(),
    )).encode()
