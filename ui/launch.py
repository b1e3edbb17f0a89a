"""Start the Kivy app for a validated config (called by ``kiosk run`` and ``kiosk demo``)."""

from __future__ import annotations

from kiosk.config import Config
from ui.boot import configure_kivy


def run_app(config: Config, width: int | None = None, height: int | None = None,
            idle_language: str | None = None) -> int:
    configure_kivy(
        width or int(config["display.width"]), height or int(config["display.height"]),
        fullscreen=bool(config["display.fullscreen"]), dpi=int(config["display.dpi"]),
    )
    from ui.app import KioskApp  # after configure_kivy: the window takes its size now

    KioskApp(config, idle_language).run()
    return 0
