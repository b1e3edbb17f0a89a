"""Kivy's ``[input]`` section with each touchscreen read exactly once.

The classic double-touch bug: Kivy's default Linux config reads touchscreens
through ``probesysfs`` (and the Raspberry Pi recipe adds both an ``mtdev`` and a
``hidinput`` probe), while SDL turns the same touches into mouse events that the
``mouse`` provider reads again: every tap arrives twice, buttons toggle back.

``input_section`` parses ``/proc/bus/input/devices`` (a pure function on its
text), finds the touchscreens and returns one provider per device:

- ``mtdev`` for multitouch protocol B (``ABS_MT_SLOT``): Kivy's ``hidinput``
  only understands protocol A (``SYN_MT_REPORT``) and would see no touch at all;
- ``hidinput`` for protocol A and single-touch screens (``BTN_TOUCH``), which
  libmtdev cannot read.

With a touchscreen there is no ``mouse`` entry (SDL's emulated mouse would
double every touch); without one the mouse stays, with ``disable_multitouch``
so a right click does not leave red dots.  Touchpads (``INPUT_PROP_POINTER``),
mice, keyboards and keyboard-wedge badge readers are left out.

Use: ``apply_input_section(kivy.config.Config, input_section(text, scan_stable_paths()))``
before the window is created; the section replaces the whole default one.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEVICES_FILE = Path("/proc/bus/input/devices")
INPUT_DIR = Path("/dev/input")

# linux/input-event-codes.h
EV_KEY, EV_REL, EV_ABS = 0x01, 0x02, 0x03
ABS_X, ABS_Y = 0x00, 0x01
ABS_MT_SLOT, ABS_MT_POSITION_X, ABS_MT_POSITION_Y = 0x2F, 0x35, 0x36
BTN_TOOL_FINGER, BTN_TOUCH = 0x145, 0x14A
INPUT_PROP_POINTER, INPUT_PROP_DIRECT = 0x00, 0x01


@dataclass(frozen=True)
class InputDevice:
    """One block of /proc/bus/input/devices; ``bitmaps`` maps 'EV', 'KEY', 'ABS'... to hex words."""

    name: str
    handlers: tuple[str, ...]
    sysfs: str = ""
    bitmaps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def event(self) -> str | None:
        """The evdev node name ('event3'), or None when the device has none."""
        return next((h for h in self.handlers if h.startswith("event")), None)

    def has(self, bitmap: str, bit: int, word_bits: int) -> bool:
        words = self.bitmaps.get(bitmap, ())
        index, offset = divmod(bit, word_bits)
        if index >= len(words):
            return False
        # The kernel prints the most significant word first.
        return bool(int(words[len(words) - 1 - index], 16) >> offset & 1)


@dataclass(frozen=True)
class Touchscreen:
    device: InputDevice
    provider: str  # 'mtdev' or 'hidinput'
    path: str      # what Kivy opens: a stable /dev/input/by-path link when there is one


def parse_devices(text: str) -> list[InputDevice]:
    """Every device block of a /proc/bus/input/devices text, in order."""
    devices = []
    for block in text.split("\n\n"):
        name, handlers, sysfs, bitmaps = "", (), "", {}
        for line in block.splitlines():
            kind, _, value = line.partition(": ")
            if kind == "N":
                name = value.removeprefix("Name=").strip('"')
            elif kind == "H":
                handlers = tuple(value.removeprefix("Handlers=").split())
            elif kind == "S":
                sysfs = value.removeprefix("Sysfs=")
            elif kind == "B":
                key, _, words = value.partition("=")
                bitmaps[key] = tuple(words.split())
        if name or handlers:
            devices.append(InputDevice(name, handlers, sysfs, bitmaps))
    return devices


def word_bits(devices: list[InputDevice]) -> int:
    """Bits per bitmap word: the kernel prints ``unsigned long``s, 32 bits on 32-bit ARM.

    Read from the text itself (the machine reading the file may not be the one
    that wrote it): a word longer than 8 hex digits means 64 bits; an ABS
    bitmap of several words means 32.  Otherwise the answer does not change
    any bit this module reads, and this machine's word size is used.
    """
    for device in devices:
        if any(len(w) > 8 for words in device.bitmaps.values() for w in words):
            return 64
    if any(len(d.bitmaps.get("ABS", ())) > 1 for d in devices):
        return 32
    return struct.calcsize("P") * 8


def is_touchscreen(device: InputDevice, bits: int) -> bool:
    """Absolute positions on the screen itself: multitouch axes, or X/Y with BTN_TOUCH."""
    if device.event is None or not device.has("EV", EV_ABS, bits) \
            or device.has("EV", EV_REL, bits):
        return False
    multitouch = device.has("ABS", ABS_MT_POSITION_X, bits) \
        and device.has("ABS", ABS_MT_POSITION_Y, bits)
    single = device.has("ABS", ABS_X, bits) and device.has("ABS", ABS_Y, bits) \
        and device.has("KEY", BTN_TOUCH, bits)
    if not (multitouch or single):
        return False
    if device.has("PROP", INPUT_PROP_POINTER, bits):
        return False  # a touchpad moves a pointer; it is not a touchscreen
    # Old kernels set no properties: a finger tool without DIRECT is a touchpad too.
    return not (device.has("KEY", BTN_TOOL_FINGER, bits)
                and not device.has("PROP", INPUT_PROP_DIRECT, bits))


def find_touchscreens(devices_text: str,
                      stable_paths: Mapping[str, str] | None = None) -> list[Touchscreen]:
    """The touchscreens of a /proc/bus/input/devices text, with provider and device path."""
    devices = parse_devices(devices_text)
    bits = word_bits(devices)
    found = []
    for device in devices:
        if not is_touchscreen(device, bits):
            continue
        protocol_b = device.has("ABS", ABS_MT_SLOT, bits)
        event = device.event or ""
        path = (stable_paths or {}).get(event, f"/dev/input/{event}")
        found.append(Touchscreen(device, "mtdev" if protocol_b else "hidinput", path))
    return found


def input_section(devices_text: str,
                  stable_paths: Mapping[str, str] | None = None) -> dict[str, str]:
    """Kivy ``[input]`` entries: one per touchscreen, or the mouse when there is none.

    ``stable_paths`` maps event node names ('event5') to stable links
    (``scan_stable_paths()``); without it the /dev/input/eventN path is used,
    which is right for this boot since the section is made at each start.
    """
    touchscreens = find_touchscreens(devices_text, stable_paths)
    if not touchscreens:
        return {"mouse": "mouse,disable_multitouch"}
    return {f"touch{i}": f"{t.provider},{t.path}" for i, t in enumerate(touchscreens)}


def render_ini(section: Mapping[str, str]) -> str:
    """The section as it would appear in Kivy's config.ini (for logs and docs)."""
    return "[input]\n" + "".join(f"{key} = {value}\n" for key, value in section.items())


def scan_stable_paths(input_dir: Path = INPUT_DIR) -> dict[str, str]:
    """Event node name -> /dev/input/by-path link (else by-id), from the links udev made."""
    found: dict[str, str] = {}
    for folder in ("by-id", "by-path"):  # by-path last: it wins
        try:
            links = sorted((input_dir / folder).iterdir())
        except OSError:
            continue
        for link in links:
            target = os.path.basename(os.path.realpath(link))
            if target.startswith("event"):  # mouseN and jsN links are not for evdev
                found[target] = str(link)
    return found


def read_devices_text(path: Path = DEVICES_FILE) -> str:
    """The devices file, or '' where there is none (not Linux, restricted container)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def apply_input_section(config: Any, section: Mapping[str, str]) -> None:
    """Replace the ``[input]`` section of a ConfigParser-like object (Kivy's ``Config``).

    Every existing key goes, ``%(name)s = probesysfs`` and ``mouse`` included:
    keeping any of them is what reads a touchscreen twice.
    """
    if config.has_section("input"):
        for key in list(config.options("input")):
            config.remove_option("input", key)
    else:
        config.add_section("input")
    for key, value in section.items():
        config.set("input", key, value)
