"""The admin badge: no punch, a PIN checked on the core worker, a lockout, no PIN set, the end."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from badge_reader.control import send_present
from contract.pin import check_pin, hash_pin
from kiosk.app.headless import run_headless
from kiosk.app.station import Station
from kiosk.app.worker import CoreWorker
from kiosk.demo.company import (
    DEMO_ADMIN_BADGE,
    DEMO_ADMIN_PIN,
    DEMO_ADMIN_PIN_HASH,
    demo_badges_table,
    seed_demo,
)
from kiosk.domain.admin import LOCKOUT_S, MAX_WRONG_PINS, AdminGate, AdminPinState
from kiosk.domain.models import Direction, OutcomeKind
from kiosk.domain.session import SessionPolicy
from kiosk.domain.terminal import Terminal
from kiosk.settings.admin_pin import admin_pin_command
from kiosk.settings.config import ConfigError, parse_config
from kiosk.settings.site_settings import SiteSettings
from tests.support.clocks_and_loops import FakeClock, MainLoop
from tests.support.station_view import RecordingView

ADMIN_BADGE = "0A00AD0001"
WORKER_BADGE = "0F00123456"  # Camille Martin in the demo company
PIN = "482193"
# A small scrypt cost: the tests check the logic, not the hash's cost.
PIN_HASH = hash_pin(PIN, log2_n=10)




@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.sqlite3"
    term = Terminal.open(path)
    seed_demo(term.db)
    term.close()
    return path


def make_rig(database: Path, pin_hash: str = PIN_HASH, badges=(ADMIN_BADGE,)):
    settings = SiteSettings(admin_badges=frozenset(badges), admin_pin_hash=pin_hash)

    def open_terminal() -> Terminal:
        terminal = Terminal.open(database)
        terminal.settings = settings
        terminal.wall_clock = clock  # wrong PINs are counted on disk, on the test's clock
        return terminal

    loop = MainLoop()
    worker = CoreWorker(open_terminal, loop.deliver)
    worker.start()
    view = RecordingView()
    clock = FakeClock()
    station = Station(worker, view, SessionPolicy(timeout_s=30, punch_undo_s=8), now=clock)
    return station, view, loop, clock, worker


@pytest.fixture
def rig(database: Path):
    station, view, loop, clock, worker = make_rig(database)
    yield station, view, loop, clock
    worker.stop()


def punch_count(database: Path) -> int:
    term = Terminal.open(database)
    try:
        return term.db.execute("SELECT count(*) FROM punches").fetchone()[0]
    finally:
        term.close()


def enter(station, loop, pin: str) -> None:
    station.admin.enter_pin(pin)
    loop.run_one()


# The badge ---------------------------------------------------------------------------


def test_an_admin_badge_asks_for_the_pin_and_records_no_punch(rig, database):
    station, view, loop, _ = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    assert view.brief() == [("pin", AdminPinState(pin_set=True))]
    assert station.session is None and station.admin.session is not None
    assert punch_count(database) == 0


def test_the_terminal_core_says_admin_for_an_admin_badge(database):
    terminal = Terminal.open(database)
    terminal.settings = SiteSettings(admin_badges=frozenset({ADMIN_BADGE}))
    try:
        outcome = terminal.present_badge(ADMIN_BADGE)
    finally:
        terminal.close()
    assert outcome.kind is OutcomeKind.ADMIN and outcome.employee is None
    assert outcome.punch is None and not outcome.admin_pin_set


def test_an_admin_badge_wins_over_a_worker_holding_the_same_badge(database):
    station, view, loop, _, worker = make_rig(database, badges=(WORKER_BADGE,))
    try:
        station.on_badge(WORKER_BADGE)
        loop.run_one()
    finally:
        worker.stop()
    assert view.brief()[0][0] == "pin" and punch_count(database) == 0


# The PIN ---------------------------------------------------------------------------------


def test_the_right_pin_opens_the_admin_screen(rig):
    station, view, loop, _ = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    enter(station, loop, PIN)
    assert view.brief()[-1] == ("admin",) and station.admin.unlocked


def test_the_pin_is_checked_on_the_core_worker_and_answered_through_deliver(rig):
    station, view, loop, _ = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    station.admin.enter_pin("0000")
    assert len(view.brief()) == 1  # nothing yet: the check runs on the worker
    loop.run_one()
    assert view.brief()[-1][0] == "pin" and set(view.threads) == {"MainThread"}


def test_a_wrong_pin_says_so_and_counts_down_the_tries(rig):
    station, view, loop, _ = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    enter(station, loop, "0000")
    state = view.brief()[-1][1]
    assert state.wrong and state.tries_left == MAX_WRONG_PINS - 1 and state.locked_for_s == 0
    assert not station.admin.unlocked


def test_three_wrong_pins_lock_the_pin_pad_for_a_minute(rig):
    station, view, loop, clock = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    for _ in range(MAX_WRONG_PINS):
        enter(station, loop, "0000")
    assert view.brief()[-1][1].locked_for_s == LOCKOUT_S
    station.admin.enter_pin(PIN)  # refused at once, not even checked
    assert view.brief()[-1][1].locked_for_s == LOCKOUT_S and not station.admin.unlocked
    clock.now += LOCKOUT_S
    enter(station, loop, PIN)
    assert view.brief()[-1] == ("admin",)


def test_wrong_pins_before_a_restart_keep_the_pin_pad_locked(database):
    station, _view, loop, clock, worker = make_rig(database)
    try:
        station.on_badge(ADMIN_BADGE)
        loop.run_one()
        for _ in range(MAX_WRONG_PINS):
            enter(station, loop, "000000")
    finally:
        worker.stop()
    station, view, loop, later, worker = make_rig(database)  # the plug pulled, a new gate
    later.now = clock.now + 1
    try:
        station.on_badge(ADMIN_BADGE)
        loop.run_one()
        enter(station, loop, PIN)
        assert view.brief()[-1][1].locked_for_s > 0 and not station.admin.unlocked
        later.now += LOCKOUT_S
        enter(station, loop, PIN)
        assert view.brief()[-1] == ("admin",)
    finally:
        worker.stop()


def test_badging_again_does_not_reset_the_count_of_wrong_pins(rig):
    station, view, loop, _ = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    enter(station, loop, "0000")
    enter(station, loop, "0000")
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    enter(station, loop, "0000")
    assert view.brief()[-1][1].locked_for_s > 0


def test_a_right_pin_resets_the_count_of_wrong_pins():
    gate = AdminGate()
    gate.record(False, 0.0)
    gate.record(False, 0.0)
    gate.record(True, 0.0)
    gate.record(False, 0.0)
    assert gate.locked_for(0.0) == 0 and gate.tries_left() == MAX_WRONG_PINS - 1


def test_without_a_pin_hash_the_pin_pad_says_none_is_set(database):
    station, view, loop, _, worker = make_rig(database, pin_hash="")
    try:
        station.on_badge(ADMIN_BADGE)
        loop.run_one()
        assert view.brief() == [("pin", AdminPinState(pin_set=False))]
        enter(station, loop, "1234")
    finally:
        worker.stop()
    assert view.brief()[-1] == ("pin", AdminPinState(pin_set=False))
    assert not station.admin.unlocked


# The end of the admin session ------------------------------------------------------------


def test_the_admin_session_ends_after_the_session_timeout(rig):
    station, view, loop, clock = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    enter(station, loop, PIN)
    clock.now += 29
    station.tick()
    assert station.admin.unlocked
    clock.now += 1
    station.tick()
    assert station.admin.session is None and view.brief()[-1] == ("idle",)


def test_a_touch_keeps_the_admin_session_open(rig):
    station, view, loop, clock = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    clock.now += 20
    station.touch()
    clock.now += 20
    station.tick()
    assert station.admin.session is not None


def test_the_next_badge_ends_the_admin_session(rig):
    station, view, loop, _ = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    enter(station, loop, PIN)
    station.on_badge(WORKER_BADGE)
    loop.run_one()
    assert view.brief()[-2:] == [("idle",), ("welcome", 1, Direction.IN)]
    assert not station.admin.unlocked


def test_a_pin_verdict_after_the_session_ended_is_dropped(rig):
    station, view, loop, _ = rig
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    station.admin.enter_pin(PIN)
    station.end_session()
    loop.run_one()
    assert view.brief()[-1] == ("idle",) and not station.admin.unlocked


def test_the_report_is_not_gathered_before_the_pin(rig):
    station, _, loop, _ = rig
    asked: list[object] = []
    station.admin.diagnostics = asked.append
    station.on_badge(ADMIN_BADGE)
    loop.run_one()
    station.admin.load_report(lambda report: None)
    assert asked == []
    enter(station, loop, PIN)
    station.admin.load_report(lambda report: None)
    assert len(asked) == 1


# Configuration, the PIN command and the demo -----------------------------------------------


def test_config_admin_section_feeds_the_site_settings(tmp_path):
    config = parse_config({"admin": {"badges": ["0a00ad0001"], "pin_hash": PIN_HASH}}, tmp_path)
    settings = SiteSettings.from_config(config)
    assert settings.admin_badges == {"0A00AD0001"} and settings.admin_pin_hash == PIN_HASH
    assert "0A00AD0001" not in repr(settings) and PIN_HASH not in repr(settings)


def test_a_bad_pin_hash_in_the_config_names_key_value_and_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError) as caught:
        parse_config({"admin": {"pin_hash": "1234"}}, tmp_path)
    message = str(caught.value)
    assert "admin.pin_hash = '1234'" in message and "kiosk admin-pin" in message


def test_admin_badges_must_be_a_list_of_ids(tmp_path):
    with pytest.raises(ConfigError) as caught:
        parse_config({"admin": {"badges": "0A00AD0001"}}, tmp_path)
    assert "admin.badges" in str(caught.value)


def test_admin_pin_command_prints_a_hash_that_checks():
    out, err = io.StringIO(), io.StringIO()
    assert admin_pin_command(io.StringIO("482193\n"), out, err) == 0
    digest = out.getvalue().strip()
    assert check_pin("482193", digest) and "482193" not in err.getvalue().replace(digest, "")
    assert "pin_hash" in err.getvalue()


@pytest.mark.parametrize("pin", ["12ab", "12345"])
def test_admin_pin_command_refuses_a_pin_that_is_not_6_to_8_digits(pin):
    out, err = io.StringIO(), io.StringIO()
    assert admin_pin_command(io.StringIO(f"{pin}\n"), out, err) == 1
    assert out.getvalue() == "" and "6 to 8 digits" in err.getvalue()


def test_the_demo_has_an_admin_badge_with_pin_1234_and_lists_it():
    assert check_pin(DEMO_ADMIN_PIN, DEMO_ADMIN_PIN_HASH) and DEMO_ADMIN_PIN == "1234"
    assert DEMO_ADMIN_BADGE in demo_badges_table() and "admin" in demo_badges_table()


def test_headless_terminal_says_an_admin_badge_was_read_without_the_badge(database):
    folder = Path(tempfile.mkdtemp(prefix="kab-"))  # short: holds the reader's socket
    shutil.copy(database, folder / "kiosk.sqlite3")
    config = parse_config({"terminal": {"data_dir": str(folder)},
                           "reader": {"protocol": "virtual", "repeat_window_s": 0.1},
                           "admin": {"badges": [ADMIN_BADGE], "pin_hash": PIN_HASH}}, folder)
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(target=run_headless, args=(config, stop, out), daemon=True)
    thread.start()

    def events() -> list[dict]:
        return [json.loads(line) for line in out.getvalue().splitlines() if line]

    try:
        deadline = time.monotonic() + 10
        while not any(e["event"] == "reader" and e["state"] == "connected" for e in events()):
            assert time.monotonic() < deadline, "the reader did not connect"
            time.sleep(0.05)
        send_present(str(folder / "virtual-reader.sock"), ADMIN_BADGE)
        while not any(e["event"] == "admin_pin" for e in events()):
            assert time.monotonic() < deadline, "no admin_pin event"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
        shutil.rmtree(folder, ignore_errors=True)
    [event] = [e for e in events() if e["event"] == "admin_pin"]
    assert event["pin_set"] is True and ADMIN_BADGE not in out.getvalue()
