"""Prepare Kivy before its window exists: environment, window size, input, logging.

Kivy reads these once, when ``kivy`` and then ``kivy.core.window`` are first
imported, so ``configure_kivy`` must run before any other ``ui`` module is
imported (one window size per process).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile


def _quiet_kivy(record: logging.LogRecord) -> bool:
    """Kivy's start-up chatter, and the upgrade of its fresh config file, are not our log."""
    if record.levelno < logging.WARNING:
        return False
    text = str(record.msg)
    return "configuration version" not in text and "Upgrading configuration" not in text


def configure_kivy(
    width: int, height: int, *, fullscreen: bool = False, dpi: int = 0, headless: bool = False,
    multisamples: int = 0,
) -> None:
    """Set Kivy's environment and window; ``headless`` renders offscreen (tour, tests)."""
    if "kivy.core.window" in sys.modules:
        raise RuntimeError("configure_kivy() must run before the Kivy window is created")
    os.environ["KIVY_NO_ARGS"] = "1"  # our own CLI owns sys.argv
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # leave the root logger to us
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    if "KIVY_HOME" not in os.environ:
        # Kivy writes a config.ini there; never into the user's home on a kiosk.
        os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kiosk-kivy-")
    if dpi:
        os.environ["KIVY_DPI"] = str(dpi)
    if headless or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        # SDL renders into an EGL surface with Mesa: real pixels, no screen needed.
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

    logging.getLogger("kivy").addFilter(_quiet_kivy)

    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    # Kivy's default is 2x multisampling: with Mesa's software renderer (and small
    # GPUs) that doubles the cost of every frame, and a badge must reach the screen
    # in a few tens of milliseconds. Text is antialiased in its textures either way.
    Config.set("graphics", "multisamples", str(multisamples))
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")
    # Events from other threads (badge reads, core results) wake the loop at once
    # when scheduled with the *_free methods; everything else keeps the frame rhythm.
    Config.set("kivy", "kivy_clock", "free_all")
    Config.set("kivy", "log_level", "warning")
    # The touchscreen comes in through SDL; no mouse emulation of multitouch red dots.
    Config.set("input", "mouse", "mouse,multitouch_on_demand")
