"""The terminal's enrollment: server address, token and site, in one 0600 file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kiosk.storage.private import private_folder

FILE_NAME = "enrollment.json"


@dataclass(frozen=True)
class Enrollment:
    server_url: str
    token: str
    terminal_id: int
    site: dict[str, Any]
    # When the token was issued (ISO 8601), for its daily rotation (kiosk.sync.tokens);
    # None in files written before rotation existed.
    token_issued_at: str | None = None
    # Whether the server holds this terminal's public key (kiosk.sync.signing), so that
    # its requests are signed; False in files written before keys existed.
    bound: bool = False
    # The server's sealing public key (base64, contract.sealing) as enrollment gave it:
    # messages queued before the first contact with the server are sealed to it too.
    seal_public_key: str | None = None


def enrollment_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def save_enrollment(data_dir: Path, enrollment: Enrollment) -> Path:
    """Write atomically with mode 0600: the token is the terminal's password. With a
    signing key beside it, the token is written sealed under a key derived from it
    (``kiosk.sync.signing.seal_token``): a copy of this file alone (a backup, a support
    bundle, a screen share of ``cat``) does not show it."""
    path = enrollment_path(data_dir)
    private_folder(path.parent)
    from kiosk.sync.signing import load_key, seal_token  # cryptography: only when writing

    data = asdict(enrollment)
    key = load_key(path.parent)
    if key is not None:
        data["token_sealed"] = seal_token(key, data.pop("token"))
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_folder(path.parent)  # the rename itself must survive a power cut
    return path


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_enrollment(data_dir: Path) -> Enrollment | None:
    path = enrollment_path(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if "token_sealed" in data:
            from kiosk.sync.signing import KEY_FILE, load_key, open_token

            key = load_key(path.parent)
            if key is None:
                raise ValueError(f"the signing key {KEY_FILE} is missing")
            data["token"] = open_token(key, data.pop("token_sealed"))
        return Enrollment(**data)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is damaged ({exc}); enroll the terminal again") from exc
