"""Site settings on the terminal: config values, the server's stored ones over them, and the
running terminal following a change without a restart."""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from contract.pin import hash_pin
from kiosk.app.runtime import StorageStatus, TerminalRuntime
from kiosk.demo.prepare import demo_config
from kiosk.domain.models import OutcomeKind
from kiosk.domain.session import SessionPolicy
from kiosk.domain.terminal import Terminal
from kiosk.settings.config import parse_config
from kiosk.settings.site_settings import PunchMode, SiteSettings
from kiosk.storage import open_database, transaction
from kiosk.sync.apply import apply_changes
from tests.support.station_view import RecordingView

CONFIG = SiteSettings.from_config(parse_config({}, Path(".")))  # fr, 30 s, 8 s, 4 s
ALICE_BADGE, ALICE = "0F00123456", 1  # of the demo company
PIN_HASH = hash_pin("482193", log2_n=10)


def store(database: Path, **values: Any) -> None:
    """Write a site_settings change into the terminal's database, as the sync does."""
    db = open_database(database)
    try:
        with transaction(db) as conn:
            apply_changes(conn, [{"type": "site_settings", "site_id": 1, "name": "Plant",
                                  "timezone": "Europe/Paris", "language": "fr", **values}])
    finally:
        db.conn.close()


# Merging ---------------------------------------------------------------------------------

def test_without_server_values_the_settings_are_the_configs() -> None:
    assert CONFIG.with_server(None) == CONFIG
    assert CONFIG.with_server({"session_timeout_s": None, "idle_language": None}) == CONFIG


def test_server_values_replace_the_configs_ones() -> None:
    merged = CONFIG.with_server({
        "idle_language": "en", "session_timeout_s": 45, "punch_undo_s": 0, "notice_s": 10,
        "punch_mode": "messages_only", "theme": "light", "quick_replies": {"fr": ["J'arrive"]},
        "admin_badges": ["0f00aa"], "admin_pin_hash": PIN_HASH})
    assert (merged.language, merged.session_timeout_s, merged.punch_undo_s,
            merged.notice_s) == ("en", 45, 0, 10)
    assert merged.punch_mode is PunchMode.MESSAGES_ONLY and merged.theme == "light"
    assert merged.quick_replies == {"fr": ("J'arrive",)}
    assert merged.admin_badges == frozenset({"0F00AA"})
    assert merged.admin_pin_hash == PIN_HASH


@pytest.mark.parametrize(("key", "value"), [
    ("session_timeout_s", "45"), ("session_timeout_s", 2), ("session_timeout_s", True),
    ("punch_undo_s", 61), ("notice_s", 4.5), ("idle_language", "de"),
    ("punch_mode", "sometimes"), ("theme", "neon"), ("quick_replies", ["OK"]),
    ("quick_replies", {"fr": ["x" * 41]}), ("quick_replies", {"de": ["Ja"]}),
    ("admin_badges", "0F00SECRET"), ("admin_badges", ["0F 00SECRET"]),
    ("admin_pin_hash", "1234"),
])
def test_an_invalid_server_value_is_ignored_and_logged_by_key_only(
        key: str, value: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "kiosk.settings.site_settings"):
        assert CONFIG.with_server({key: value}) == CONFIG
    assert f"site setting {key} from the server ignored" in caplog.text
    assert "SECRET" not in caplog.text and "1234" not in caplog.text


def test_one_invalid_value_leaves_the_valid_ones_applied() -> None:
    merged = CONFIG.with_server({"session_timeout_s": 9999, "notice_s": 12})
    assert (merged.session_timeout_s, merged.notice_s) == (30, 12)


def test_quick_replies_are_the_sites_for_its_languages_and_built_in_for_the_others() -> None:
    merged = CONFIG.with_server({"quick_replies": {"fr": ["J'arrive", "Merci"]}})
    assert merged.replies_for("fr") == ["J'arrive", "Merci"]
    assert merged.replies_for("en") == ["OK", "Thanks", "On my way", "I can't"]


def test_a_worker_language_the_terminal_lacks_gets_the_english_replies() -> None:
    merged = CONFIG.with_server({"quick_replies": {"en": ["Coming"]}})
    assert merged.replies_for("ar") == ["Coming"]


# The stored row ----------------------------------------------------------------------------

def test_the_terminal_reads_what_the_sync_stored(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite3"
    store(path, session_timeout_s=45, quick_replies={"en": ["Coming"]})
    terminal = Terminal.open(path)
    try:
        settings = terminal.refresh_settings(CONFIG)
    finally:
        terminal.close()
    assert settings.session_timeout_s == 45 and settings.replies_for("en") == ["Coming"]
    assert terminal.settings is settings


def test_a_change_from_an_older_server_keeps_every_config_value(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite3"
    store(path)  # site_id, name, timezone, language only
    terminal = Terminal.open(path)
    try:
        assert terminal.refresh_settings(CONFIG) == CONFIG
    finally:
        terminal.close()


def test_a_damaged_stored_row_falls_back_to_the_config(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    terminal = Terminal.open(tmp_path / "kiosk.sqlite3")
    try:
        with transaction(terminal.db) as conn:
            conn.execute("INSERT INTO sync_state (key, value) VALUES ('site_settings', '{oops')")
        with caplog.at_level(logging.WARNING):
            assert terminal.refresh_settings(CONFIG) == CONFIG
    finally:
        terminal.close()
    assert "stored site settings unreadable" in caplog.text


# Punch mode --------------------------------------------------------------------------------

def test_in_messages_only_mode_a_badge_opens_the_messages_and_records_no_punch(terminal) -> None:
    terminal.settings = replace(CONFIG, punch_mode=PunchMode.MESSAGES_ONLY)
    outcome = terminal.present_badge(ALICE_BADGE)
    assert outcome.kind is OutcomeKind.WELCOME and outcome.employee.id == ALICE
    assert outcome.punch is None
    assert outcome.unread == terminal.unread_count(ALICE) > 0
    assert terminal.db.execute("SELECT count(*) FROM punches").fetchone()[0] == 0


def test_in_auto_mode_a_badge_records_the_punch(terminal) -> None:
    terminal.settings = CONFIG
    assert terminal.present_badge(ALICE_BADGE).punch is not None


# The running terminal ------------------------------------------------------------------------

class Rig:
    """A started TerminalRuntime; ``run_until`` plays the front end's thread."""

    def __init__(self, data_dir: Path) -> None:
        self.calls: queue.Queue[Callable[[], None]] = queue.Queue()
        self.view, self.storage, self.applied = RecordingView(), [], []
        self.runtime = TerminalRuntime(demo_config(data_dir), self.view, self.calls.put,
                                       on_storage_status=self.storage.append,
                                       on_settings=self.applied.append)
        self.database = self.runtime.config.database_path
        self.runtime.start()
        self.run_until(lambda: StorageStatus(True) in self.storage)

    def run_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        end = time.monotonic() + timeout
        while not predicate():
            self.runtime.tick()
            try:
                self.calls.get(timeout=0.05)()
            except queue.Empty:
                pass
            if time.monotonic() > end:
                raise TimeoutError("condition not met")


@pytest.fixture
def rig() -> Iterator[Rig]:
    path = Path(tempfile.mkdtemp(prefix="kss-"))  # short: holds the reader's socket
    rig = Rig(path)
    yield rig
    rig.runtime.stop()
    shutil.rmtree(path, ignore_errors=True)


def test_a_stored_change_reaches_the_running_terminal_without_restart(rig: Rig) -> None:
    store(rig.database, session_timeout_s=45, punch_undo_s=3, idle_language="en")
    rig.run_until(lambda: bool(rig.applied))
    assert (rig.applied[-1].session_timeout_s, rig.applied[-1].language) == (45, "en")
    assert rig.runtime.settings == rig.applied[-1]
    assert rig.runtime.station.policy == SessionPolicy(timeout_s=45.0, punch_undo_s=3.0)


def test_settings_that_did_not_change_are_not_delivered_again(rig: Rig) -> None:
    store(rig.database, notice_s=9)
    rig.run_until(lambda: bool(rig.applied))
    store(rig.database, notice_s=9)
    deadline = time.monotonic() + 2.5
    rig.run_until(lambda: time.monotonic() > deadline)
    assert len(rig.applied) == 1


def test_messages_only_set_while_running_stops_recording_punches(rig: Rig) -> None:
    store(rig.database, punch_mode="messages_only")
    rig.run_until(lambda: bool(rig.applied))
    rig.runtime.station.on_badge(ALICE_BADGE)
    rig.run_until(lambda: any(kind == "welcome" for kind, _ in rig.view.shown))
    welcome = next(outcome for kind, outcome in rig.view.shown if kind == "welcome")
    assert welcome.punch is None
    db = open_database(rig.database)
    try:
        assert db.execute("SELECT count(*) FROM punches").fetchone()[0] == 0
    finally:
        db.conn.close()


def test_a_change_during_a_session_leaves_that_session_its_timeouts(rig: Rig) -> None:
    rig.runtime.station.on_badge(ALICE_BADGE)
    rig.run_until(lambda: rig.runtime.station.session is not None)
    session = rig.runtime.station.session
    store(rig.database, session_timeout_s=5, punch_undo_s=0)
    rig.run_until(lambda: bool(rig.applied))
    assert rig.runtime.station.session is session  # not ended by the change
    assert session.policy == SessionPolicy(timeout_s=30.0, punch_undo_s=8.0)
    assert rig.runtime.station.can_change_punch()  # its undo window is still open
    rig.runtime.station.end_session()
    rig.runtime.station.on_badge(ALICE_BADGE)
    rig.run_until(lambda: rig.runtime.station.session not in (None, session))
    assert rig.runtime.station.session.policy == SessionPolicy(timeout_s=5.0, punch_undo_s=0.0)


def test_removing_a_server_value_gives_back_the_configs(rig: Rig) -> None:
    store(rig.database, notice_s=9)
    rig.run_until(lambda: bool(rig.applied))
    store(rig.database, notice_s=None)
    rig.run_until(lambda: len(rig.applied) == 2)
    assert rig.applied[-1].notice_s == 4
