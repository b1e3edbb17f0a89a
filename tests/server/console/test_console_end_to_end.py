"""End to end on real parts: two headless terminals (``kiosk run --headless`` with the
virtual reader) enrolled on the server; a moderated worker's reply is sent on the first,
HR approves it in Chromium, the second terminal receives it on its next pull."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import enrollment_code

from badge_reader.control import send_present
from kiosk.sync.enrollment import enroll_terminal
from server.db import Database
from server.repo import directory
from tests.support.console_browser import log_in
from tests.support.console_rig import ADMIN, Seeded

REPO = Path(__file__).resolve().parents[3]
ZOE_BADGE = "0F00AA0002"
ALI_BADGE = "0F00AA0001"
BODY = "Swap with Léo on Friday?"


class HeadlessTerminal:
    """``kiosk run --headless --commands``: its events read on a thread, commands written
    to its standard input."""

    def __init__(self, folder: Path, name: str) -> None:
        config = folder / "kiosk.toml"
        config.write_text(f"[terminal]\nname = '{name}'\ndata_dir = '{folder / 'data'}'\n"
                          "language = 'en'\n[reader]\nprotocol = 'virtual'\n")
        env = {**os.environ, "PYTHONPATH": str(REPO), "KIVY_NO_ARGS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--headless", "--commands",
             "--config", str(config)], cwd=folder, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.events: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()
        self.control = self.wait_for(lambda e: e["event"] == "virtual_reader")["control"]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.put(json.loads(line))

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool],
                 timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            if wanted(event):
                return event

    def command(self, **fields: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(fields) + "\n")
        self.process.stdin.flush()

    def badge_session(self, badge: str, employee_id: int, timeout: float = 30.0) -> None:
        """Present the badge until the terminal knows it (its first pull may still run)."""
        deadline = time.monotonic() + timeout
        while True:
            send_present(self.control, badge)
            event = self.wait_for(lambda e: e["event"] in ("welcome", "notice"))
            if event["event"] == "welcome" and event["employee_id"] == employee_id:
                return
            assert time.monotonic() < deadline, f"badge never recognised: {event}"
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def terminals(console_server: Any, console_db: Database,
              seeded: Seeded) -> Iterator[Callable[[str], HeadlessTerminal]]:
    started: list[HeadlessTerminal] = []
    folders: list[Path] = []

    def start(name: str) -> HeadlessTerminal:
        # A short path: the virtual reader's control socket lives in the data folder.
        folder = Path(tempfile.mkdtemp(prefix="kterm-"))
        folders.append(folder)
        enroll_terminal(folder / "data", console_server.url,
                        enrollment_code(console_db, seeded.site_a), name)
        terminal = HeadlessTerminal(folder, name)
        started.append(terminal)
        return terminal

    yield start
    for terminal in started:
        terminal.stop()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_moderated_reply_sent_on_one_terminal_is_approved_in_chromium_and_reaches_another(
    web_page: Any, console_db: Database, seeded: Seeded, terminals,
) -> None:
    with console_db.write() as conn:
        directory.add_badge(conn, seeded.zoe, ZOE_BADGE)
    sender, receiver = terminals("Gate A1"), terminals("Gate A2")

    sender.badge_session(ALI_BADGE, seeded.ali)
    sender.command(command="send", to_employees=[seeded.zoe], body=BODY)
    message_id = sender.wait_for(lambda e: e["event"] in ("sent", "send_refused"))[
        "message_id"]

    log_in(web_page, ADMIN)
    deadline = time.monotonic() + 30
    card = web_page.locator("li.message", has_text=BODY)
    while True:  # the sync worker pushes within a moment of the send
        web_page.goto("/console/moderation")
        if card.count():
            break
        assert time.monotonic() < deadline, "the reply never reached the queue"
        time.sleep(0.5)
    card.get_by_role("button", name="Approve — Ali Ben").click()
    assert web_page.get_by_role("status").inner_text().startswith("Approved")

    receiver.badge_session(ZOE_BADGE, seeded.zoe)
    deadline = time.monotonic() + 30
    while True:
        receiver.command(command="inbox")
        inbox = receiver.wait_for(lambda e: e["event"] == "inbox")["messages"]
        if any(item["id"] == message_id for item in inbox):
            break
        assert time.monotonic() < deadline, "the approved reply never reached the terminal"
        time.sleep(1.0)
