"""Site settings set with the server's admin CLI reach a running headless terminal (real
server on 127.0.0.1, real sync, real SQLite, badges through the virtual reader) and
apply without a restart."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from badge_reader.control import send_present
from kiosk.app.headless import run_headless
from kiosk.settings.config import parse_config
from kiosk.storage import open_database
from kiosk.sync.credentials import Enrollment, save_enrollment
from server.cli import main as server_cli
from server.db import schema

BUILT_IN_EN = ["OK", "Thanks", "On my way", "I can't"]
UNKNOWN_BADGE = "0F0000DEAD"

Event = dict[str, Any]


class EventLog:
    """The headless terminal's stdout: one JSON event per line, kept in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._partial = ""
        self.events: list[Event] = []

    def write(self, text: str) -> int:
        with self._lock:
            self._partial += text
            *lines, self._partial = self._partial.split("\n")
            self.events += [json.loads(line) for line in lines if line]
        return len(text)

    def flush(self) -> None:
        pass

    def wait_for(self, predicate: Callable[[Event], bool], after: int = 0,
                 timeout: float = 15.0) -> Event:
        """The first event from index ``after`` on that matches."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [e for e in self.events[after:] if predicate(e)]
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"no such event; got {self.events[after:]}")

    def __len__(self) -> int:
        with self._lock:
            return len(self.events)


class Headless:
    """``kiosk run --headless`` in a thread, enrolled at the test site."""

    def __init__(self, data_dir: Path, url: str, token: str, site_id: int) -> None:
        save_enrollment(data_dir, Enrollment(url, token, 1, {"id": site_id}))
        self.config = parse_config({"terminal": {"data_dir": str(data_dir), "language": "fr"},
                                    "reader": {"protocol": "virtual"},
                                    "server": {"url": url}}, data_dir)
        self.log = EventLog()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=run_headless, args=(self.config, self._stop, self.log), daemon=True)
        self._thread.start()
        self.control = self.log.wait_for(lambda e: e["event"] == "virtual_reader")["control"]
        self.log.wait_for(lambda e: e["event"] == "sync" and e["state"] == "online")

    def present(self, badge: str) -> int:
        """Present ``badge``; returns where its events start in the log."""
        start = len(self.log)
        send_present(self.control, badge)
        return start

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.fixture
def headless(server, site, token) -> Iterator[Headless]:
    path = Path(tempfile.mkdtemp(prefix="kst-"))  # short: holds the reader's socket
    terminal = Headless(path / "terminal", server.url, token, site.site)
    yield terminal
    terminal.stop()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def set_on_server(server_db_path: Path, site) -> Callable[..., None]:
    """``python -m server settings set --site SITE ARGS`` (in this process)."""
    def run(*args: str) -> None:
        assert server_cli(["settings", "set", "--site", str(site.site), *args,
                           "--db", str(server_db_path)]) == 0
    return run


def settings_event(terminal: Headless, after: int = 0, **expected: Any) -> Event:
    return terminal.log.wait_for(
        lambda e: e["event"] == "settings" and all(e[k] == v for k, v in expected.items()),
        after)


def test_a_shorter_session_timeout_ends_the_next_session_sooner(headless, set_on_server, site):
    set_on_server("--session-timeout", "5")
    settings_event(headless, session_timeout_s=5)
    start = headless.present(site.alice_badge)
    headless.log.wait_for(lambda e: e["event"] == "welcome", start)
    opened = time.monotonic()
    headless.log.wait_for(lambda e: e["event"] == "idle", start, timeout=12)
    assert 4 < time.monotonic() - opened < 9  # the config's 30 s would still be running


def test_the_idle_language_and_notice_time_follow_the_server(headless, set_on_server):
    set_on_server("--language", "en", "--notice", "9")
    settings_event(headless, language="en", notice_s=9)
    start = headless.present(UNKNOWN_BADGE)
    notice = headless.log.wait_for(lambda e: e["event"] == "notice", start)
    assert (notice["language"], notice["seconds"]) == ("en", 9)


def test_messages_only_mode_opens_the_messages_and_records_no_punch(
        headless, set_on_server, site, server_db):
    set_on_server("--punch-mode", "messages_only")
    settings_event(headless, punch_mode="messages_only")
    start = headless.present(site.alice_badge)
    welcome = headless.log.wait_for(lambda e: e["event"] == "welcome", start)
    assert welcome["employee_id"] == site.alice
    assert welcome["direction"] is None and welcome["punch_id"] is None
    db = open_database(headless.config.database_path)
    try:
        assert db.execute("SELECT count(*) FROM punches").fetchone()[0] == 0
    finally:
        db.conn.close()
    with server_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.punches)).scalar_one() == 0


def test_the_theme_follows_the_server(headless, set_on_server):
    set_on_server("--theme", "light")
    settings_event(headless, theme="light")


def test_back_in_auto_mode_a_badge_records_the_punch_again(headless, set_on_server, site):
    set_on_server("--punch-mode", "messages_only")
    after = len(headless.log)
    settings_event(headless, punch_mode="messages_only")
    set_on_server("--unset", "punch-mode")
    settings_event(headless, after, punch_mode="auto")
    start = headless.present(site.alice_badge)
    welcome = headless.log.wait_for(lambda e: e["event"] == "welcome", start)
    assert welcome["direction"] == "IN"


def test_quick_replies_set_for_one_language_replace_only_that_languages(
        headless, set_on_server):
    set_on_server("--quick-reply", "fr:J'arrive", "--quick-reply", "fr:Bien reçu")
    event = settings_event(headless, quick_replies={"fr": ["J'arrive", "Bien reçu"],
                                                    "en": BUILT_IN_EN})
    assert event["language"] == "fr"  # the config's: not set on the server


def test_a_value_unset_on_the_server_goes_back_to_the_terminals_config(
        headless, set_on_server):
    set_on_server("--notice", "9")
    after = len(headless.log)
    settings_event(headless, notice_s=9)
    set_on_server("--unset", "notice")
    settings_event(headless, after, notice_s=4)
