"""What ``kiosk demo`` sets up before the screen opens.

The default demo runs the real central server in-process on loopback, seeded
with the demo company, enrolls the terminal with a fresh one-time code and lets
the sync worker bring the directory and messages, exactly as on a site.  It
prints the badges to present, the command that presents one from another
shell, and the command that starts a second terminal on the same server (to
watch a message travel).  ``--offline`` seeds the terminal's database directly
and runs without any server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.demo.company import (
    DEMO_ADMIN_BADGE,
    DEMO_ADMIN_PIN_HASH,
    UNKNOWN_DEMO_BADGE,
    demo_badges_table,
    seed_demo,
)
from kiosk.settings.config import Config, parse_config

DEMO_SITE_NAME = "Demo plant · Hall B"


@dataclass
class DemoSetup:
    config: Config
    server: Any = None  # kiosk.demo.server.DemoServer when this process runs the server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def _config(data_dir: Path, server_url: str = "", **terminal: Any) -> Config:
    values = {"data_dir": str(data_dir), "site_name": DEMO_SITE_NAME, "name": "Demo terminal"}
    values.update(terminal)
    data: dict[str, Any] = {"terminal": values, "reader": {"protocol": "virtual"},
                            "admin": {"badges": [DEMO_ADMIN_BADGE],
                                      "pin_hash": DEMO_ADMIN_PIN_HASH}}
    data["camera"] = {"source": "virtual"}  # the test pattern: no webcam needed
    if server_url:
        data["server"] = {"url": server_url}
    return parse_config(data, data_dir)


def demo_config(data_dir: Path, **terminal: Any) -> Config:
    """Seed the demo company straight into ``data_dir`` (no server) and return its config."""
    from kiosk.storage import open_database

    data_dir = data_dir.resolve()
    db = open_database(data_dir / "kiosk.sqlite3")
    try:
        seed_demo(db)
    finally:
        db.conn.close()
    return _config(data_dir, **terminal)


def prepare_demo(data_dir: Path, *, offline: bool = False, join: str = "", code: str = "",
                 **terminal: Any) -> DemoSetup:
    """Set up the demo terminal in ``data_dir``; the caller runs the screen, then ``stop()``."""
    data_dir = data_dir.resolve()
    if offline:
        return DemoSetup(demo_config(data_dir, **terminal))
    from kiosk.demo.server import DemoServer
    from kiosk.sync.credentials import load_enrollment
    from kiosk.sync.enrollment import enroll_terminal

    server = None
    if join:
        url = join
    else:
        server = DemoServer(data_dir / "server")
        url = server.url
    terminal_dir = data_dir / "terminal"
    enrolled = load_enrollment(terminal_dir)
    if enrolled is None or enrolled.server_url != url:
        enroll_terminal(terminal_dir, url,
                        code or server.new_enrollment_code(),  # type: ignore[union-attr]
                        terminal.get("name", "Demo terminal"), force=enrolled is not None)
    setup = DemoSetup(_config(terminal_dir, url, **terminal), server)
    _print_instructions(setup)
    return setup


def _print_instructions(setup: DemoSetup) -> None:
    control = setup.config.data_dir / "virtual-reader.sock"
    lines = [f"Demo terminal data in {setup.config.data_dir}", "Badges:", demo_badges_table(),
             "", "Present one from another shell:",
             f"  .venv/bin/python -m badge_reader present 0F00123456 --control {control}",
             f"  .venv/bin/python -m badge_reader present {UNKNOWN_DEMO_BADGE} --control {control}"]
    if setup.server is not None:
        code = setup.server.new_enrollment_code()
        lines += ["", f"Central server (in this process): {setup.server.url}",
                  "Start a second terminal on the same server, to watch a message travel:",
                  f"  .venv/bin/python -m kiosk demo --join {setup.server.url} --code {code} "
                  "--data-dir var/demo2"]
    print("\n".join(lines), flush=True)
