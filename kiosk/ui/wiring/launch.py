"""Start the Kivy app for a validated config (called by ``kiosk run`` and ``kiosk demo``)."""

from __future__ import annotations

from kiosk.settings.config import Config
from kiosk.ui.wiring.boot import configure_kivy


def run_app(config: Config, width: int | None = None, height: int | None = None,
            idle_language: str | None = None, touch_devices: bool = False) -> int:
    """Run the app; ``touch_devices`` reads each touchscreen once (deployed terminals)."""
    configure_kivy(
        width or int(config["display.width"]), height or int(config["display.height"]),
        fullscreen=bool(config["display.fullscreen"]), dpi=int(config["display.dpi"]),
        multisamples=int(config["display.multisamples"]),
    )
    if touch_devices:
        _configure_touch_input()
    from kiosk.ui.wiring.app import KioskApp  # after configure_kivy: the window takes its size now

    KioskApp(config, idle_language).run()
    return 0


def _configure_touch_input() -> None:
    """Kivy's [input] section from the devices present: each touchscreen read exactly once
    (the same screen read by two providers gives the classic double touches)."""
    import logging

    from kivy.config import Config as KivyConfig

    from kiosk.settings.input_section import (
        apply_input_section,
        input_section,
        read_devices_text,
        render_ini,
        scan_stable_paths,
    )

    section = input_section(read_devices_text(), scan_stable_paths())
    apply_input_section(KivyConfig, section)
    logging.getLogger(__name__).info("touch input:\n%s", render_ini(section))
