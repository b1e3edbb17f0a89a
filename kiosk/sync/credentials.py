"""The terminal's enrollment: server address, token and site, in one 0600 file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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


def enrollment_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def save_enrollment(data_dir: Path, enrollment: Enrollment) -> Path:
    """Write atomically with mode 0600: the token is the terminal's password."""
    path = enrollment_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(enrollment), f, indent=2)
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
        return Enrollment(**data)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is damaged ({exc}); enroll the terminal again") from exc
