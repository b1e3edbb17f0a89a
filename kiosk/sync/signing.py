"""The terminal's signing key: made at enrollment, kept in the data folder (0600), and
used to sign every authenticated request (``contract.request_signing``).

A token copied off the disk, a backup or a log is then refused on its own: the server
asks for the signature of the key whose public half it stored at enrollment.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from contract.request_signing import SIGNATURE_HEADER, TIME_HEADER, signed_message
from kiosk.storage.private import FILE_MODE, private_folder

KEY_FILE = "signing-key"  # the raw 32-byte Ed25519 private key


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE


def load_key(data_dir: Path) -> Ed25519PrivateKey | None:
    """The terminal's key, or None when it has none (enrolled before keys existed)."""
    try:
        raw = key_path(data_dir).read_bytes()
    except FileNotFoundError:
        return None
    if len(raw) != 32:
        raise ValueError(f"{key_path(data_dir)} is damaged; enroll the terminal again")
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_or_make_key(data_dir: Path) -> Ed25519PrivateKey:
    """The terminal's key, made now if it has none (a terminal enrolled before keys
    existed: it registers the public key at its next token rotation)."""
    key = load_key(data_dir)
    if key is None:
        key = new_key()
        save_key(data_dir, key)
    return key


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def save_key(data_dir: Path, key: Ed25519PrivateKey) -> None:
    """Write the private key atomically, mode 0600, fsynced (it replaces any older one)."""
    private_folder(data_dir)
    path = key_path(data_dir)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes_raw())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _token_cipher(key: Ed25519PrivateKey) -> AESGCM:
    secret = HKDF(algorithm=SHA256(), length=32, salt=None,
                  info=b"kiosk enrollment token at rest").derive(key.private_bytes_raw())
    return AESGCM(secret)


def seal_token(key: Ed25519PrivateKey, token: str) -> str:
    """The token encrypted (AES-GCM) under a key derived from the signing key. Whoever
    holds the whole data folder opens it: it keeps the token out of copies of the
    enrollment file alone; revocation is what ends a stolen terminal's access."""
    nonce = os.urandom(12)
    sealed = nonce + _token_cipher(key).encrypt(nonce, token.encode(), b"token")
    return base64.urlsafe_b64encode(sealed).decode()


def open_token(key: Ed25519PrivateKey, sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed)
    try:
        return _token_cipher(key).decrypt(raw[:12], raw[12:], b"token").decode()
    except InvalidTag:
        raise ValueError("the token does not open with this terminal's signing key") from None


def public_key_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


class RequestSigner:
    """Signs requests with the terminal's key, on the server's clock as last seen: a
    terminal whose clock is off still signs a time the server accepts (the offset is
    taken from each answer's ``Date``)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public_key = public_key_hex(key)
        self._offset_s = 0.0
        self._lock = threading.Lock()

    def headers(self, method: str, path: str, body: bytes, token: str) -> dict[str, str]:
        with self._lock:
            now = int(time.time() + self._offset_s)
        signature = self._key.sign(signed_message(method, path, now, body, token))
        return {TIME_HEADER: str(now),
                SIGNATURE_HEADER: base64.urlsafe_b64encode(signature).decode().rstrip("=")}

    def note_server_date(self, date: str | None) -> None:
        """Keep how far the server's clock is from ours (``Date``: whole seconds)."""
        if not date:
            return
        try:
            server = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return
        with self._lock:
            self._offset_s = server - time.time()

    def __repr__(self) -> str:  # never the key
        return f"RequestSigner(public_key={self.public_key[:8]}…)"
