"""Self-test: start the real app offscreen, wait for the idle screen's first frame, report, exit.

Used by ``kiosk selftest`` (the deployment bundle's smoke test, the start-up
and memory benchmark).  Prints ``ready <seconds since process start>`` at the
first frame that shows the idle screen with the reader connected, then after ``hold`` seconds
``rss <kB>``, and exits 0; exits 1 if the idle screen never shows.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from kiosk.settings.config import Config
from kiosk.ui.wiring.boot import configure_kivy

IDLE_DEADLINE_S = 30.0


def _process_age_s() -> float:
    """Seconds since this process started (from /proc, so interpreter start counts)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _reader_up(shell: Any) -> bool:
    """Ready for a badge: the reader thread has the port open (or the config has no reader)."""
    from badge_reader import ReaderState

    reader = shell.runtime.reader
    if reader is None:
        return shell.runtime.worker is not None and shell.runtime.started
    status = reader.status
    return status is not None and status.state in (ReaderState.CONNECTED, ReaderState.ERROR)


def run_selftest(config: Config, width: int, height: int, hold_s: float = 0.0) -> int:
    configure_kivy(width, height, headless=True,
                   multisamples=int(config["display.multisamples"]))
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.ui.wiring.app import KioskApp

    app = KioskApp(config)
    outcome = {"ready": False}
    started = time.monotonic()

    def on_flip(*_: Any) -> None:
        shell = app.shell
        if shell is not None and shell.router.current == "idle" and _reader_up(shell):
            Window.unbind(on_flip=on_flip)
            outcome["ready"] = True
            print(f"ready {_process_age_s():.3f}", flush=True)
            Clock.schedule_once(report, hold_s)
        elif time.monotonic() - started > IDLE_DEADLINE_S:
            print("selftest: the idle screen did not show", file=sys.stderr)
            app.stop()

    def report(_dt: float) -> None:
        print(f"rss {_rss_kb()}", flush=True)
        app.stop()

    Window.bind(on_flip=on_flip)
    app.run()
    return 0 if outcome["ready"] else 1
