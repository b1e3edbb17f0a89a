"""VirtualReader: a pty that sends real frames, with a control socket for other processes."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from badge_reader.control import ControlError, send_present
from badge_reader.protocols.em4100 import encode_frame
from badge_reader.virtual import VirtualReader


def read_exactly(port: serial.Serial, size: int) -> bytes:
    data = port.read(size)
    assert len(data) == size, f"got {len(data)} of {size} bytes"
    return data


@pytest.fixture
def opened_port(virtual_reader: VirtualReader) -> Iterator[serial.Serial]:
    with serial.Serial(virtual_reader.port, 9600, timeout=3.0) as port:
        yield port


def test_port_is_a_terminal_device_path(virtual_reader: VirtualReader) -> None:
    assert virtual_reader.port.startswith("/dev/")
    assert os.path.exists(virtual_reader.port)


def test_present_writes_one_real_frame(
    virtual_reader: VirtualReader, opened_port: serial.Serial
) -> None:
    virtual_reader.present("0F00123456")
    assert read_exactly(opened_port, 14) == encode_frame("0F00123456")


def test_present_with_repeat_writes_the_frame_that_many_times(
    virtual_reader: VirtualReader, opened_port: serial.Serial
) -> None:
    virtual_reader.present("0F00123456", repeat=3, interval=0.01)
    assert read_exactly(opened_port, 42) == encode_frame("0F00123456") * 3


def test_present_in_another_protocol_uses_that_protocols_frame(
    virtual_reader: VirtualReader, opened_port: serial.Serial
) -> None:
    virtual_reader.present("0000123478", "line-dec")
    assert read_exactly(opened_port, 12) == b"0000123478\r\n"


def test_present_refuses_an_id_the_protocol_cannot_carry(virtual_reader: VirtualReader) -> None:
    with pytest.raises(ValueError, match="10 hex"):
        virtual_reader.present("12345")


def test_wedge_readers_cannot_be_simulated_on_a_pty() -> None:
    with pytest.raises(ValueError, match="cannot be simulated"):
        VirtualReader(protocol="wedge")


def test_closed_reader_refuses_writes_and_closing_twice_is_harmless() -> None:
    reader = VirtualReader()
    reader.close()
    reader.close()  # idempotent
    with pytest.raises(ValueError):
        reader.write(b"x")


def test_control_socket_presents_a_badge_sent_by_another_client(short_tmp: Path) -> None:
    control = str(short_tmp / "ctl")
    with VirtualReader(control) as reader:
        with serial.Serial(reader.port, timeout=3.0) as port:
            send_present(control, "1A0067B3C2")
            assert read_exactly(port, 14) == encode_frame("1A0067B3C2")


def test_control_socket_reports_a_refused_badge_to_the_client(short_tmp: Path) -> None:
    control = str(short_tmp / "ctl")
    with VirtualReader(control):
        with pytest.raises(ControlError, match="10 hex"):
            send_present(control, "nope")


def test_close_removes_the_control_socket_file(short_tmp: Path) -> None:
    control = short_tmp / "ctl"
    with VirtualReader(str(control)):
        assert control.exists()
    assert not control.exists()


def test_stale_control_socket_from_a_crashed_reader_is_replaced(short_tmp: Path) -> None:
    control = short_tmp / "ctl"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stale:
        stale.bind(str(control))  # bound, never listening, then abandoned
    with VirtualReader(str(control)) as reader:
        send_present(str(control), "0F00123456")
        assert reader.control_path == str(control)


def test_a_second_reader_on_a_live_control_socket_is_refused(short_tmp: Path) -> None:
    control = str(short_tmp / "ctl")
    with VirtualReader(control):
        with pytest.raises(FileExistsError, match="another virtual reader"):
            VirtualReader(control)


def test_a_regular_file_at_the_control_path_is_never_deleted(short_tmp: Path) -> None:
    control = short_tmp / "notes.txt"
    control.write_text("keep me")
    with pytest.raises(FileExistsError):
        VirtualReader(str(control))
    assert control.read_text() == "keep me"
