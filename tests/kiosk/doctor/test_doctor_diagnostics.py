"""Doctor prints what the admin screen shows: outbox depth and age, the reader's raw frames."""

from __future__ import annotations

import io
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import serial

from badge_reader.virtual import VirtualReader
from kiosk.doctor.checkup import doctor_command, run_checks
from kiosk.doctor.diagnostics import enrollment_info, format_age, outbox_stats
from kiosk.doctor.frames import check_reader_frames
from kiosk.settings.config import Config
from kiosk.storage import open_database
from kiosk.sync.credentials import Enrollment, save_enrollment


@pytest.fixture
def reader() -> Iterator[VirtualReader]:
    with VirtualReader() as virtual:
        yield virtual


def serial_config(make_config: Callable[..., Config], port: str) -> Config:
    return make_config(reader__protocol="em4100", reader__port=port)


def queue_item(database: Path, age: timedelta, state: str = "queued", error: str = "") -> None:
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("INSERT INTO outbox (id, kind, payload, created_at, state, error) "
                     "VALUES (hex(randomblob(16)), 'punch', '{}', ?, ?, ?)",
                     ((datetime.now(UTC) - age).isoformat(), state, error or None))
    conn.close()


# Outbox ------------------------------------------------------------------------------


def test_outbox_stats_give_depth_oldest_age_and_refusals(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    open_database(database).conn.close()
    queue_item(database, timedelta(minutes=30))
    queue_item(database, timedelta(minutes=2))
    queue_item(database, timedelta(hours=5), "rejected", '{"message": "unknown employee"}')
    conn = sqlite3.connect(database.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        stats = outbox_stats(conn)
    finally:
        conn.close()
    assert (stats.depth, stats.rejected, stats.last_rejection) == (2, 1, "unknown employee")
    assert 29 * 60 < stats.oldest_age_s < 31 * 60


def test_doctor_prints_outbox_depth_and_oldest_age_of_an_offline_terminal(
    make_config: Callable[..., Config],
) -> None:
    config = make_config()
    open_database(config.database_path).conn.close()
    queue_item(config.database_path, timedelta(minutes=12))
    [outbox] = [c for c in run_checks(config) if c.name == "outbox"]
    assert outbox.ok and "1 outbox item kept locally" in outbox.summary
    assert "the oldest from 12 min ago" in outbox.summary


def test_ages_read_in_the_unit_a_person_thinks_in() -> None:
    assert [format_age(s) for s in (45, 12 * 60, 2 * 3600, 3 * 86400)] == [
        "45 s", "12 min", "2.0 h", "3.0 d"]


def test_enrollment_info_never_holds_the_token(tmp_path: Path) -> None:
    save_enrollment(tmp_path, Enrollment("http://127.0.0.1:9", "s3cr3t-token", 7,
                                         {"id": 1, "name": "Usine Nord"}))
    info = enrollment_info(tmp_path)
    assert info.enrolled and info.token_present and info.site_name == "Usine Nord"
    assert "s3cr3t-token" not in repr(info)


# Reader frames -------------------------------------------------------------------------------


def test_a_free_reader_is_listened_to_and_its_frames_printed(
    reader: VirtualReader, make_config: Callable[..., Config],
) -> None:
    prompts: list[str] = []
    timer = threading.Timer(0.5, reader.present, args=("0F00123456",))
    timer.start()
    try:
        [check] = check_reader_frames(serial_config(make_config, reader.port), 5.0,
                                      prompts.append)
    finally:
        timer.cancel()
    assert check.ok and "1 accepted" in check.summary
    assert "02 30 46 30 30 31 32 33 34 35 36" in check.summary
    assert prompts and "present a card" in prompts[0]


def test_a_reader_sending_only_noise_is_a_warning_naming_protocol_and_baud(
    reader: VirtualReader, make_config: Callable[..., Config],
) -> None:
    timer = threading.Timer(0.5, reader.write, args=(b"\x8f\x13\xfe\x07garbage\x03",))
    timer.start()
    try:
        [check] = check_reader_frames(serial_config(make_config, reader.port), 1.5)
    finally:
        timer.cancel()
    assert not check.ok and check.severity == "warning" and "rejected" in check.summary
    assert "reader.protocol (em4100)" in check.fix and "reader.baud (9600)" in check.fix


def test_a_reader_held_by_the_running_terminal_points_to_the_admin_screen(
    reader: VirtualReader, make_config: Callable[..., Config],
) -> None:
    held = serial.Serial(reader.port, 9600, exclusive=True)
    try:
        [check] = check_reader_frames(serial_config(make_config, reader.port), 5.0)
    finally:
        held.close()
    assert check.ok and "cannot listen" in check.summary and "admin screen" in check.summary


def test_without_listening_doctor_says_how_to_see_the_frames(
    reader: VirtualReader, make_config: Callable[..., Config],
) -> None:
    [check] = check_reader_frames(serial_config(make_config, reader.port), 0.0)
    assert "kiosk doctor --listen" in check.summary


def test_doctor_exits_non_zero_when_the_reader_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[terminal]\ndata_dir = "{tmp_path / "data"}"\n'
                    '[reader]\nprotocol = "em4100"\nport = "/dev/ttyNOPE7"\n')
    out = io.StringIO()
    assert doctor_command(path, listen_s=3.0, out=out) == 1
    assert "/dev/ttyNOPE7 does not exist" in out.getvalue()
