"""Doctor's badge reader checks on a real pseudo-terminal, missing paths and held ports."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import serial

from kiosk.doctor.check import access_fix
from kiosk.doctor.devices import check_reader, check_screen_blanking, check_touch, holders
from kiosk.settings.config import Config


@pytest.fixture
def pty_port() -> Iterator[str]:
    """The slave side of a real pseudo-terminal: a serial port as far as the reader knows."""
    master, slave = os.openpty()
    yield os.ttyname(slave)
    os.close(slave)
    os.close(master)


def test_pseudo_terminal_port_passes(pty_port: str, make_config: Callable[..., Config]) -> None:
    [check] = check_reader(make_config(reader__protocol="em4100", reader__port=pty_port))
    assert check.ok and pty_port in check.summary and "9600 baud" in check.summary


def test_missing_port_names_the_fix(make_config: Callable[..., Config]) -> None:
    [check] = check_reader(make_config(reader__protocol="em4100", reader__port="/dev/ttyNOPE7"))
    assert not check.ok and check.severity == "error"
    assert "/dev/ttyNOPE7 does not exist" in check.summary
    assert "plug the reader in" in check.fix and "docs/readers.md" in check.fix


def test_port_held_by_another_open_is_reported_busy(
    pty_port: str, make_config: Callable[..., Config]
) -> None:
    held = serial.Serial(pty_port, 9600, exclusive=True)
    try:
        [check] = check_reader(make_config(reader__protocol="em4100", reader__port=pty_port))
    finally:
        held.close()
    assert not check.ok and check.severity == "warning" and "in use" in check.summary
    assert "systemctl stop kiosk-terminal" in check.fix


def test_regular_file_as_port_is_not_a_device(
    tmp_path: Path, make_config: Callable[..., Config]
) -> None:
    (tmp_path / "ttyUSB0").write_text("")
    [check] = check_reader(make_config(reader__protocol="em4100",
                                       reader__port=str(tmp_path / "ttyUSB0")))
    assert not check.ok and "is not a device" in check.summary


def test_virtual_reader_needs_no_hardware(make_config: Callable[..., Config]) -> None:
    [check] = check_reader(make_config(reader__protocol="virtual"))
    assert check.ok and "virtual" in check.summary


def test_wedge_reader_without_device_is_an_error(make_config: Callable[..., Config]) -> None:
    [check] = check_reader(make_config(reader__protocol="wedge"))
    assert not check.ok and "reader.device" in check.fix


def test_missing_wedge_device_is_an_error(make_config: Callable[..., Config]) -> None:
    [check] = check_reader(make_config(reader__protocol="wedge",
                                       reader__device="/dev/input/by-id/nope-event-kbd"))
    assert not check.ok and "does not exist" in check.summary


def test_another_process_holding_the_port_is_named(
    pty_port: str, make_config: Callable[..., Config]
) -> None:
    fd = os.open(pty_port, os.O_RDWR | os.O_NOCTTY)
    child = subprocess.Popen(["sleep", "30"], stdin=fd)
    os.close(fd)
    try:
        assert [pid for pid, _ in holders(pty_port)] == [child.pid]
        [check] = check_reader(make_config(reader__protocol="em4100", reader__port=pty_port))
    finally:
        child.kill()
        child.wait()
    assert not check.ok and f"pid {child.pid} (sleep 30)" in check.summary


def test_access_fix_gives_the_usermod_command() -> None:
    fix = access_fix("/dev/ttyUSB0", "kiosk", "dialout", in_group_db=False, in_session=False)
    assert "usermod -aG dialout kiosk" in fix


def test_access_fix_asks_to_log_in_again_when_the_group_is_not_active_yet() -> None:
    fix = access_fix("/dev/ttyUSB0", "kiosk", "dialout", in_group_db=True, in_session=False)
    assert "log out and back in" in fix and "usermod" not in fix


def test_touch_check_names_the_touchscreen_and_its_provider() -> None:
    from tests.support.input_samples import RASPBERRY_PI

    [check] = check_touch(RASPBERRY_PI)
    assert "FT5406 memory based driver on /dev/input/event0 (mtdev)" in check.summary


def test_no_touchscreen_is_a_warning() -> None:
    from tests.support.input_samples import DESKTOP

    [check] = check_touch(DESKTOP)
    assert not check.ok and check.severity == "warning"


def test_console_blanking_timer_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "consoleblank").write_text("600\n")
    check = check_screen_blanking(tmp_path / "consoleblank")
    assert not check.ok and "600 s" in check.summary and "consoleblank=0" in check.fix
