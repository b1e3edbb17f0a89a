"""Write ``kiosk.toml`` with what setup chose, keeping what site IT set by hand.

The file is the commented example (every key, its default and what it allows) with the
values of the existing file, then setup's choices, written in one piece: a temporary
file beside it, flushed, then renamed over it, so a crash leaves the old file or the
new one, never half of one.  The values are checked (``parse_config``) before anything
is written.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.settings.config import Config, ConfigError, parse_config, render_example


def read_values(path: Path) -> dict[str, dict[str, Any]]:
    """The existing file's values by section (empty when there is no file)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("(file)", str(path), f"a readable TOML file ({exc})") from None


def merged(existing: Mapping[str, Mapping[str, Any]],
           choices: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``existing`` with ``choices`` ('section.key' -> value) laid over it."""
    values = {section: dict(keys) for section, keys in existing.items()}
    for dotted, value in choices.items():
        section, key = dotted.split(".", 1)
        values.setdefault(section, {})[key] = value
    return values


SETUP_HEADER = (
    "# Time-clock terminal configuration (TOML), written by 'kiosk setup'.",
    "# Every key is shown; the commented lines say what each allows.",
    "# Edit a value, then: kiosk doctor, and systemctl restart kiosk-terminal.",
)


def write_config(path: Path, choices: Mapping[str, Any]) -> Config:
    """Merge ``choices`` into the file at ``path`` (made if missing); the checked config."""
    values = merged(read_values(path), choices)
    config = parse_config(values, path.resolve().parent, source=str(path))
    text = render_example(values, SETUP_HEADER)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.setup-{os.getpid()}")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        # Readable by the terminal's user, writable by root only: it holds no secret
        # (the token is in the data folder).
        temporary.chmod(0o644)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return config
