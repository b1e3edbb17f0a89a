"""End to end on real parts: two headless terminals (``kiosk run --headless`` with the
virtual reader) enrolled on the server, and HR in Chromium. A moderated worker's reply
is sent on the first, HR approves it, the second terminal receives it on its next pull.
A broadcast to a group with acknowledgement required: one worker acknowledges it on
the first terminal, the other does not; the report says 1 of 2 and names her; the
reminder reaches the second terminal, which puts it first at her next badge-in."""

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
from server.repo import directory, groups
from tests.support.console_browser import log_in
from tests.support.console_rig import ADMIN, Seeded

REPO = Path(__file__).resolve().parents[3]
ZOE_BADGE = "0F00AA0002"
ALI_BADGE = "0F00AA0001"
BODY = "Swap with Léo on Friday?"
ANNOUNCEMENT = "New safety shoes are mandatory from Monday."


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
        self.last_welcome: dict[str, Any] = {}
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

    def drain(self) -> None:
        """Forget the events printed so far."""
        while not self.events.empty():
            self.events.get_nowait()

    def command(self, **fields: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(fields) + "\n")
        self.process.stdin.flush()

    def badge_session(self, badge: str, employee_id: int, timeout: float = 30.0) -> None:
        """Present the badge until the terminal knows it (its first pull may still run)."""
        deadline = time.monotonic() + timeout
        while True:
            send_present(self.control, badge)
            try:  # the reader ignores a badge seen again within its repeat window (1 s)
                event = self.wait_for(lambda e: e["event"] in ("welcome", "notice"), 3.0)
            except queue.Empty:
                assert time.monotonic() < deadline, "the badge was never read"
                continue
            if event["event"] == "welcome" and event["employee_id"] == employee_id:
                self.last_welcome = event
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


def test_a_group_broadcast_is_acknowledged_on_one_terminal_and_reminded_on_the_other(
    web_page: Any, console_db: Database, linked: Seeded, terminals,
) -> None:
    with console_db.write() as conn:
        directory.add_badge(conn, linked.zoe, ZOE_BADGE)
        shift = groups.create_group(conn, "Morning shift")
        for person in (linked.ali, linked.zoe):
            groups.set_member(conn, shift, person, can_post=False)
    first, second = terminals("Gate A1"), terminals("Gate A2")

    log_in(web_page, ADMIN)  # linked: the HR admin broadcasts as Hana
    web_page.goto("/console/broadcasts/new")
    web_page.get_by_label("Group Morning shift").check()
    web_page.get_by_label("Message").fill(ANNOUNCEMENT)
    assert web_page.get_by_label("Acknowledgement required").is_checked()
    web_page.get_by_role("button", name="Send", exact=True).click()
    message_id = web_page.url.split("/broadcasts/")[1].split("?")[0]

    def holds_it(terminal: HeadlessTerminal) -> None:
        deadline = time.monotonic() + 30
        while True:  # the terminal's long-poll brings it within a moment
            terminal.command(command="inbox")
            inbox = terminal.wait_for(lambda e: e["event"] == "inbox")["messages"]
            if any(item["id"] == message_id for item in inbox):
                return
            assert time.monotonic() < deadline, "the broadcast never reached the terminal"
            time.sleep(0.5)

    first.badge_session(ALI_BADGE, linked.ali)
    holds_it(first)
    first.command(command="acknowledge", message_id=message_id)
    assert first.wait_for(lambda e: e["event"] == "acknowledged")["ok"]
    first.command(command="end_session")
    second.badge_session(ZOE_BADGE, linked.zoe)
    holds_it(second)  # Zoé has it, and leaves without acknowledging it
    second.command(command="end_session")

    report = web_page.locator("p.report-line")
    deadline = time.monotonic() + 30
    while True:  # the first terminal pushes the acknowledgement within a moment
        web_page.goto(f"/console/broadcasts/{message_id}")
        if "1 acknowledged" in report.inner_text():
            break
        assert time.monotonic() < deadline, "the acknowledgement never reached the server"
        time.sleep(0.5)
    assert report.inner_text().startswith("1 of 2 read, 1 acknowledged")
    missing = web_page.locator("table tbody tr")
    assert missing.count() == 1 and "Zoé O'Brien" in missing.inner_text()

    second.drain()
    web_page.get_by_role("button", name="Remind those who have not acknowledged").click()
    assert "Reminder sent" in web_page.locator("body").inner_text()
    # The second terminal's long-poll wakes on the reminder, which it pulls and applies.
    second.wait_for(lambda e: e["event"] == "pulled")
    second.badge_session(ZOE_BADGE, linked.zoe)  # shown first at her next badge-in
    assert second.last_welcome["first_message"] == message_id
