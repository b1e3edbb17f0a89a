"""Fixtures for the UI tests: the real app, rendered offscreen at 800x480, once per session.

Kivy has one window per process and sizes it when first imported, so Kivy is
configured here, at import, before any test module imports ``ui``.  Tests that
need another size or another configuration run the app in a subprocess
(``python -m kiosk.ui.tooling.tour``).  Helpers are handed out as fixtures, not imported.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.ui.wiring.boot import configure_kivy

configure_kivy(800, 480, headless=True)

# Short timers so a test sees a session end in seconds.
SESSION_TIMEOUT_S = 5
PUNCH_UNDO_S = 3
NOTICE_S = 2


@pytest.fixture(scope="session")
def demo_badges() -> dict[str, str]:
    """Badge ids by role: 'fr' and 'en' (first active worker of each), 'disabled', 'unknown'."""
    from kiosk.demo.company import DEMO_WORKERS, UNKNOWN_DEMO_BADGE

    badges = {"unknown": UNKNOWN_DEMO_BADGE}
    for worker in reversed(DEMO_WORKERS):
        key = worker.employee.language if worker.badge_active else "disabled"
        badges[key] = worker.badge
    return badges


@pytest.fixture(scope="session")
def demo_names() -> dict[str, str]:
    from kiosk.demo.company import DEMO_WORKERS

    names = {}
    for worker in reversed(DEMO_WORKERS):
        if worker.badge_active:
            names[worker.employee.language] = worker.employee.display_name
    return names


@pytest.fixture(scope="session")
def app_session() -> Iterator[Any]:
    """The real KioskApp on a fresh demo company with a virtual reader, started once."""
    from kiosk.demo.prepare import demo_config
    from kiosk.ui.tooling.harness import Harness
    from kiosk.ui.wiring.app import KioskApp

    data_dir = Path(tempfile.mkdtemp(prefix="kui-"))  # short: holds the reader's socket
    config = demo_config(
        data_dir, language="fr", session_timeout_s=SESSION_TIMEOUT_S,
        punch_undo_s=PUNCH_UNDO_S, notice_s=NOTICE_S,
    ).with_values(reader__repeat_window_s=0.1)
    harness = Harness(KioskApp(config))
    harness.start()
    harness.wait_until(lambda: harness.shell.status.reader_state == "connected", 10, "reader")
    harness.wait_until(lambda: harness.shell.status.storage_level == "ok", 10, "storage")
    yield harness
    harness.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def app(app_session: Any, caplog: pytest.LogCaptureFixture) -> Any:
    """The session's app, back on the idle screen with no session, for one test.

    Screen changes are logged at debug level: a failing test shows them.
    """
    caplog.set_level(logging.DEBUG, logger="kiosk.ui.wiring.router")
    harness = app_session
    harness.router.done()
    harness.wait_for_screen("idle")
    harness.pump(0.15)  # past the reader's repeat window
    return harness


@pytest.fixture
def texts() -> Any:
    """texts(harness): every label text in every screen, shown or not."""
    from kiosk.ui.tooling.harness import all_texts

    def collect(harness: Any) -> list[str]:
        return all_texts(list(harness.router.manager.screens))

    return collect
