"""Sealed boxes: bytes a terminal encrypts to the server, which only the server can open.

A terminal queues messages and pictures while offline, sometimes for days. Sealed at
enqueue time with the server's X25519 public key, they are unreadable on the terminal's
disk, even to the terminal itself: it holds no private key that opens them.

A box is ``VERSION`` (1 byte), a fresh ephemeral X25519 public key (32 bytes), then the
ChaCha20-Poly1305 ciphertext and its 16-byte tag. The key is HKDF-SHA256 of the X25519
shared secret, salted with both public keys; each box has its own ephemeral key, so its
own cipher key, and the nonce can be fixed. ``context`` is authenticated, not
encrypted: it binds a box to what carries it (an outbox item's id and kind, a picture's
sha256), so a box cannot be replayed under another item.

The one module of ``contract`` that imports outside the standard library:
``cryptography`` is a dependency of both sides.
"""

from __future__ import annotations

import base64

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
KEY_BYTES = 32
OVERHEAD = len(VERSION) + KEY_BYTES + 16  # what a box adds to its plaintext
_NONCE = bytes(12)  # one key per box: a fixed nonce is safe
_INFO = b"kiosk sealed box v1"


class SealError(ValueError):
    """The box does not open: another key, damaged bytes, or another context."""


def new_key_pair() -> tuple[bytes, bytes]:
    """(private, public), 32 raw bytes each: the server's, made once."""
    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def public_key_of(private_key: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def _cipher(shared: bytes, ephemeral: bytes, recipient: bytes) -> ChaCha20Poly1305:
    key = HKDF(algorithm=SHA256(), length=32, salt=ephemeral + recipient,
               info=_INFO).derive(shared)
    return ChaCha20Poly1305(key)


def seal(public_key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """``plaintext`` sealed to the holder of ``public_key``'s private key."""
    recipient = X25519PublicKey.from_public_bytes(public_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    cipher = _cipher(ephemeral.exchange(recipient), ephemeral_public, public_key)
    return VERSION + ephemeral_public + cipher.encrypt(_NONCE, plaintext, context)


def open_box(private_key: bytes, box: bytes, context: bytes) -> bytes:
    """The plaintext of ``box``; ``SealError`` if it does not open with this key and context."""
    if len(box) < OVERHEAD or box[:1] != VERSION:
        raise SealError("not a sealed box of version 1")
    ephemeral_public = box[1:1 + KEY_BYTES]
    private = X25519PrivateKey.from_private_bytes(private_key)
    recipient = private.public_key().public_bytes_raw()
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        return _cipher(shared, ephemeral_public, recipient).decrypt(
            _NONCE, box[1 + KEY_BYTES:], context)
    except (InvalidTag, ValueError):  # ValueError: an all-zero shared secret
        raise SealError("the box does not open with this key") from None


def item_context(item_id: str, kind: str) -> bytes:
    """What a sealed outbox payload is bound to: its item's id and kind."""
    return f"kiosk push item\n{item_id}\n{kind}".encode()


def attachment_context(sha256: str) -> bytes:
    """What a sealed upload is bound to: the sha256 of the plain bytes."""
    return f"kiosk attachment\n{sha256}".encode()


def encode_key(key: bytes) -> str:
    """A public key on the wire: standard base64 (44 characters)."""
    return base64.b64encode(key).decode()


def decode_key(text: str) -> bytes:
    """``encode_key``'s inverse; ValueError if it is not 32 bytes of base64."""
    try:
        key = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise ValueError("not base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"a key is {KEY_BYTES} bytes")
    return key


def encode_box(box: bytes) -> str:
    """A box inside JSON: base64url without padding."""
    return base64.urlsafe_b64encode(box).rstrip(b"=").decode()


def decode_box(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise SealError("the sealed payload is not base64url") from None
