"""The touchscreen and the display size, read from the kernel (no window opened).

The touchscreen is what the terminal will use at each start anyway
(``kiosk.settings.input_section``: Kivy's ``[input]`` section is made from
/proc/bus/input/devices every time), so setup only reports it.  The display size is
the preferred mode of the first connected DRM connector
(``/sys/class/drm/card*-*/modes``), which is what SDL's KMS/DRM driver opens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kiosk.settings.input_section import find_touchscreens, read_devices_text, scan_stable_paths

DRM_DIR = Path("/sys/class/drm")
_MODE = re.compile(r"^(\d{3,4})x(\d{3,4})")


@dataclass(frozen=True)
class Screen:
    touchscreens: tuple[str, ...]  # "name (path)" of each
    size: tuple[int, int] | None   # preferred mode of the connected display, if found
    connector: str = ""


def find_display_size(drm_dir: Path = DRM_DIR) -> tuple[tuple[int, int] | None, str]:
    """(width, height) of the first connected connector's preferred mode, and its name."""
    for connector in sorted(drm_dir.glob("card*-*")):
        try:
            if (connector / "status").read_text().strip() != "connected":
                continue
            modes = (connector / "modes").read_text().splitlines()
        except OSError:
            continue
        for mode in modes:
            match = _MODE.match(mode.strip())
            if match:
                return (int(match[1]), int(match[2])), connector.name
    return None, ""


def find_screen(drm_dir: Path = DRM_DIR) -> Screen:
    try:
        touch = find_touchscreens(read_devices_text(), scan_stable_paths())
    except OSError:
        touch = []
    size, connector = find_display_size(drm_dir)
    return Screen(tuple(f"{t.device.name} ({t.path})" for t in touch), size, connector)
