"""The terminal's TOML configuration: one declared table of keys, validated at start.

Every key is declared once in ``FIELDS`` with its default, what it allows and a
sentence for site IT.  ``config.example.toml`` is generated from that table (see
``render_example``) and a test keeps the two in step, so a key cannot exist
without documentation.  A bad value stops the terminal with a ``ConfigError``
naming the key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.languages import LANGUAGES
from contract.site_settings import RULES, THEMES, config_check

__all__ = ["LANGUAGES", "Config", "ConfigError", "load_config", "render_example"]

READER_PROTOCOLS = ("em4100", "em4100-id12", "line-hex", "line-dec", "wedge", "virtual")
BADGE_FORMATS = ("hex", "dec32", "facility-card")
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
CAMERA_SOURCES = ("auto", "none", "virtual")  # kiosk.camera.SOURCES
DISPLAY_THEMES = THEMES  # kiosk.ui.theme.THEMES; a site setting too (contract.site_settings)


class ConfigError(ValueError):
    """A configuration value that the terminal cannot start with."""

    def __init__(self, key: str, value: object, allowed: str, source: str = "") -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        where = f" in {source}" if source else ""
        super().__init__(f"config{where}: {key} = {value!r} is not valid; allowed: {allowed}")


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    default: Any
    allowed: str
    doc: str
    check: Callable[[Any], bool]

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"


def _is_int_in(lo: int, hi: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def _is_number_in(lo: float, hi: float) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int | float) and not isinstance(v, bool) and lo <= v <= hi


def _is_text(max_len: int, allow_empty: bool = False) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and (allow_empty or v.strip() != "") and len(v) <= max_len


def _is_one_of(choices: tuple) -> Callable[[Any], bool]:
    return lambda v: v in choices and not isinstance(v, bool)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_url(v: Any) -> bool:
    return isinstance(v, str) and (v == "" or v.startswith(("http://", "https://")))


def _is_badge_list(v: Any) -> bool:
    return isinstance(v, list) and len(v) <= 100 and all(
        isinstance(b, str) and 1 <= len(b.strip()) <= 64 and b.strip().isascii()
        and b.strip().isalnum() for b in v)


def _is_pin_hash_or_empty(v: Any) -> bool:
    return v == "" or config_check("admin_pin_hash")(v)


def _site_setting(section: str, key: str, rule: str, default: Any, doc: str) -> Field:
    """A key the server's site settings may override: what it allows is the rule's
    (``contract.site_settings``), so the config and the server can never disagree."""
    return Field(section, key, default, RULES[rule].allowed, doc, config_check(rule))


FIELDS: tuple[Field, ...] = (
    Field("terminal", "name", "Terminal 1", "text, 1 to 64 characters",
          "Name of this terminal, shown on the admin screens.", _is_text(64)),
    Field("terminal", "site_name", "Demo site", "text, 1 to 64 characters",
          "Site name shown on the idle screen.", _is_text(64)),
    Field("terminal", "data_dir", "var", "a folder path (relative paths start at this file)",
          "Where the SQLite database and the terminal's state live.", _is_text(4096)),
    _site_setting("terminal", "language", "idle_language", "fr",
                  "Language of the idle screen; each worker then sees their own."),
    _site_setting("terminal", "session_timeout_s", "session_timeout_s", 30,
                  "A worker's session ends after this long without a touch."),
    _site_setting("terminal", "punch_undo_s", "punch_undo_s", 8,
                  "How long the worker may switch IN/OUT or undo a punch just recorded."),
    _site_setting("terminal", "notice_s", "notice_s", 4,
                  "How long a notice (unknown badge, reader fault) stays on screen."),
    Field("terminal", "punch_sound", True, "true or false",
          "A short tone when a punch is recorded, where the terminal has a sound device "
          "(none: skipped without a word).", _is_bool),
    Field("reader", "protocol", "em4100", ", ".join(READER_PROTOCOLS),
          "Reader family; see docs/readers.md. 'virtual' makes a pseudo-terminal reader "
          "for demos and tests.", _is_one_of(READER_PROTOCOLS)),
    Field("reader", "port", "/dev/ttyUSB0", "a serial device path",
          "Serial port of the reader (USB or RS-232).", _is_text(4096)),
    Field("reader", "baud", 9600, ", ".join(str(b) for b in BAUD_RATES),
          "Serial speed; EM4100 modules use 9600.", _is_one_of(BAUD_RATES)),
    Field("reader", "repeat_window_s", 1.0, "a number of seconds from 0.1 to 10",
          "A card held on the reader is reported again only after this long without frames.",
          _is_number_in(0.1, 10)),
    Field("reader", "badge_format", "hex", ", ".join(BADGE_FORMATS),
          "How badge numbers are printed on this site's cards (display and typed matching).",
          _is_one_of(BADGE_FORMATS)),
    Field("reader", "reverse_bytes", False, "true or false",
          "Reverse the byte order of ids (some MIFARE UID readers).", _is_bool),
    Field("reader", "device", "", "an input device path, or empty",
          "Keyboard-wedge readers: the /dev/input/by-id/... device to read.",
          _is_text(4096, allow_empty=True)),
    Field("display", "width", 800, "a whole number of pixels from 320 to 3840",
          "Window width when not full screen.", _is_int_in(320, 3840)),
    Field("display", "height", 480, "a whole number of pixels from 240 to 2160",
          "Window height when not full screen.", _is_int_in(240, 2160)),
    Field("display", "fullscreen", False, "true or false",
          "Full screen (kiosk deployments).", _is_bool),
    Field("display", "multisamples", 0, "0, 2 or 4",
          "Antialiasing of drawn shapes (text is always smooth). 0 is right for software "
          "rendering and small GPUs; 2 or 4 only where the GPU has power to spare.",
          _is_one_of((0, 2, 4))),
    Field("display", "dpi", 0, "0 (ask the screen) or a whole number from 60 to 400",
          "Screen density used to size touch targets.",
          lambda v: v == 0 or _is_int_in(60, 400)(v)),
    _site_setting("display", "theme", "theme", "dark",
                  "Colours: 'dark' (the default), or 'light', high-contrast black on white "
                  "for brightly lit shop floors. The site's setting on the server, when "
                  "set, overrides it."),
    Field("camera", "source", "auto", ", ".join(CAMERA_SOURCES),
          "Camera for photos in messages: 'auto' reads the device below with OpenCV (when "
          "installed), 'none' means no camera, 'virtual' shows a test pattern (demos, tests).",
          _is_one_of(CAMERA_SOURCES)),
    Field("camera", "index", 0, "a whole number from 0 to 9",
          "Which camera when several are connected (0: the first, /dev/video0).",
          _is_int_in(0, 9)),
    Field("server", "url", "", "empty (offline only) or an http:// or https:// address",
          "Central server the terminal syncs with (enroll first: kiosk enroll).", _is_url),
    Field("server", "clock_warning_s", 60, "a whole number of seconds from 5 to 86400",
          "Warn on screen when this terminal's clock is off the server's by more than this.",
          _is_int_in(5, 86400)),
    Field("admin", "badges", [], 'a list of badge ids, e.g. ["0A00AD0001"] (empty: none)',
          "Badges that open the admin screen (reader, touch test, network, outbox) "
          "after the PIN; they never punch.", _is_badge_list),
    Field("admin", "pin_hash", "", "empty, or the line printed by 'kiosk admin-pin' "
          "(pbkdf2_sha256$...)",
          "Hash of the admin PIN (6 to 8 digits); make one with: kiosk admin-pin. "
          "Empty: the admin screen cannot open.", _is_pin_hash_or_empty),
)

_BY_NAME = {f.name: f for f in FIELDS}
SECTIONS = tuple(dict.fromkeys(f.section for f in FIELDS))


@dataclass(frozen=True)
class Config:
    """Validated settings. ``values`` maps 'section.key' to a value; ``base_dir`` anchors paths."""

    values: Mapping[str, Any]
    base_dir: Path

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def data_dir(self) -> Path:
        path = Path(self.values["terminal.data_dir"]).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def database_path(self) -> Path:
        return self.data_dir / "kiosk.sqlite3"

    def with_values(self, **overrides: Any) -> Config:
        """A copy with 'section__key'=value overrides, validated like the file."""
        merged = dict(self.values)
        for dunder, value in overrides.items():
            name = dunder.replace("__", ".", 1)
            _validate(name, value, "override")
            merged[name] = value
        return Config(merged, self.base_dir)


def _validate(name: str, value: Any, source: str) -> None:
    field = _BY_NAME.get(name)
    if field is None:
        known = ", ".join(k for k in _BY_NAME if k.startswith(name.split(".")[0] + ".")) or (
            ", ".join(f"[{s}]" for s in SECTIONS)
        )
        raise ConfigError(name, value, f"no such key; known keys: {known}", source)
    if not field.check(value):
        raise ConfigError(name, value, field.allowed, source)


def parse_config(data: Mapping[str, Any], base_dir: Path, source: str = "") -> Config:
    """Validate a decoded TOML document; missing keys take their defaults."""
    values = {f.name: f.default for f in FIELDS}
    for section, table in data.items():
        if section not in SECTIONS or not isinstance(table, Mapping):
            raise ConfigError(
                section, table, "a table among " + ", ".join(f"[{s}]" for s in SECTIONS), source
            )
        for key, value in table.items():
            name = f"{section}.{key}"
            _validate(name, value, source)
            values[name] = value
    return Config(values, base_dir)


def load_config(path: Path | None) -> Config:
    """Read and validate a TOML file; ``None`` gives the defaults anchored at the current folder."""
    if path is None:
        return parse_config({}, Path.cwd())
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("--config", str(path), "an existing TOML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("--config", str(path), f"a readable UTF-8 file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("(file)", str(path), f"valid TOML ({exc})") from None
    return parse_config(data, path.resolve().parent, source=str(path))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


EXAMPLE_HEADER = (
    "# Time-clock terminal configuration (TOML).",
    "# Every key is optional: the value shown is the default.",
    "# Copy to kiosk.toml and run: kiosk run --config kiosk.toml",
)


def render_example(values: Mapping[str, Mapping[str, Any]] | None = None,
                   header: tuple[str, ...] = EXAMPLE_HEADER) -> str:
    """The commented example file: every key with what it allows and why, and its value
    in ``values`` (by section), else its default.  ``kiosk setup`` writes one this way."""
    lines = list(header)
    for section in SECTIONS:
        lines += ["", f"[{section}]"]
        chosen = (values or {}).get(section, {})
        for f in (f for f in FIELDS if f.section == section):
            lines.append(f"# {f.doc}")
            lines.append(f"# Allowed: {f.allowed}.")
            lines.append(f"{f.key} = {_toml_value(chosen.get(f.key, f.default))}")
    return "\n".join(lines) + "\n"
