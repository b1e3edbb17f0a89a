"""ReaderThread against real pseudo-terminals opened through pyserial."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import serial

from badge_reader.protocols.em4100 import encode_frame
from badge_reader.runner import ReaderThread
from badge_reader.status import ReaderState
from badge_reader.virtual import VirtualReader

if TYPE_CHECKING:
    from conftest import Recorder

StartReader = Callable[..., ReaderThread]
Repoint = Callable[[Path, str], None]
WAIT = 3.0


def test_reports_connecting_then_connected(
    virtual_reader: VirtualReader, recorder: Recorder, start_reader: StartReader
) -> None:
    start_reader(virtual_reader.port)
    recorder.wait_for_status(ReaderState.CONNECTED)
    assert [s.state for s in recorder.status_history] == ["connecting", "connected"]
    assert virtual_reader.port in recorder.status_history[-1].message


def test_frame_written_to_the_master_is_delivered_as_a_read(
    virtual_reader: VirtualReader, recorder: Recorder, start_reader: StartReader
) -> None:
    start_reader(virtual_reader.port)
    recorder.wait_for_status(ReaderState.CONNECTED)
    virtual_reader.present("0F00123456")
    read = recorder.next_read()
    assert (read.badge, read.protocol, read.raw) == (
        "0F00123456",
        "em4100",
        encode_frame(read.badge),
    )


def test_held_card_repeating_frames_is_reported_once(
    virtual_reader: VirtualReader, recorder: Recorder, start_reader: StartReader
) -> None:
    start_reader(virtual_reader.port, repeat_window=0.5)
    recorder.wait_for_status(ReaderState.CONNECTED)
    virtual_reader.present("0F00123456", repeat=6, interval=0.1)
    virtual_reader.present("1A0067B3C2")  # arrives after every repeat: marks the end
    assert recorder.next_read().badge == "0F00123456"
    assert recorder.next_read().badge == "1A0067B3C2"
    assert recorder.reads.empty()


def test_card_presented_again_after_the_window_is_reported_again(
    virtual_reader: VirtualReader, recorder: Recorder, start_reader: StartReader
) -> None:
    start_reader(virtual_reader.port, repeat_window=0.2)
    recorder.wait_for_status(ReaderState.CONNECTED)
    virtual_reader.present("0F00123456")
    first = recorder.next_read()
    time.sleep(0.3)  # the card is away from the reader for longer than the window
    virtual_reader.present("0F00123456")
    second = recorder.next_read()
    assert second.badge == first.badge
    assert second.monotonic - first.monotonic >= 0.2


def test_line_reader_over_a_pty_keeps_decimal_ids_as_sent(
    recorder: Recorder, start_reader: StartReader
) -> None:
    with VirtualReader(protocol="line-dec") as reader:
        start_reader(reader.port, "line-dec")
        recorder.wait_for_status(ReaderState.CONNECTED)
        reader.present("0000123478")
        assert recorder.next_read().badge == "0000123478"


def test_missing_port_reports_not_found_then_connects_when_it_appears(
    short_tmp: Path, recorder: Recorder, start_reader: StartReader, repoint_symlink: Repoint
) -> None:
    link = short_tmp / "ttyBADGE"
    start_reader(str(link))
    error = recorder.wait_for_status(ReaderState.ERROR)
    assert error.message == f"Reader not found on {link}"
    with VirtualReader() as reader:
        repoint_symlink(link, reader.port)  # the reader is plugged in
        recorder.wait_for_status(ReaderState.CONNECTED)
        reader.present("0400F1A2B3")
        assert recorder.next_read().badge == "0400F1A2B3"


def test_pty_closed_mid_read_reports_disconnected_and_reconnects(
    short_tmp: Path, recorder: Recorder, start_reader: StartReader, repoint_symlink: Repoint
) -> None:
    link = short_tmp / "ttyBADGE"
    first = VirtualReader()
    repoint_symlink(link, first.port)
    start_reader(str(link))
    recorder.wait_for_status(ReaderState.CONNECTED)
    first.close()  # the reader is unplugged while the thread is reading
    disconnected = recorder.wait_for_status(ReaderState.DISCONNECTED)
    assert str(link) in disconnected.message
    with VirtualReader() as second:
        repoint_symlink(link, second.port)
        recorder.wait_for_status(ReaderState.CONNECTED)
        second.present("1A0067B3C2")
        assert recorder.next_read().badge == "1A0067B3C2"


def test_port_held_by_another_program_reports_port_busy(
    virtual_reader: VirtualReader, recorder: Recorder, start_reader: StartReader
) -> None:
    with serial.Serial(virtual_reader.port, exclusive=True):
        start_reader(virtual_reader.port)
        error = recorder.wait_for_status(ReaderState.ERROR)
    assert error.message.startswith("Port busy")
    recorder.wait_for_status(ReaderState.CONNECTED)  # and it connects once released


def test_stop_ends_a_connected_thread_within_half_a_second(
    virtual_reader: VirtualReader, recorder: Recorder, start_reader: StartReader
) -> None:
    thread = start_reader(virtual_reader.port)
    recorder.wait_for_status(ReaderState.CONNECTED)
    started = time.monotonic()
    thread.stop()
    thread.join(timeout=WAIT)
    assert time.monotonic() - started < 0.5
    assert recorder.wait_for_status(ReaderState.DISCONNECTED).message.endswith("stopped")


def test_stop_interrupts_a_long_reconnect_wait(
    short_tmp: Path, recorder: Recorder, start_reader: StartReader
) -> None:
    thread = start_reader(str(short_tmp / "missing"), backoff_initial=5.0, backoff_max=5.0)
    recorder.wait_for_status(ReaderState.ERROR)
    started = time.monotonic()
    thread.stop()
    thread.join(timeout=WAIT)
    assert time.monotonic() - started < 0.5


def test_exception_in_on_read_does_not_stop_the_reader(
    virtual_reader: VirtualReader, recorder: Recorder
) -> None:
    calls = []

    def failing_on_read(read: object) -> None:
        calls.append(read)
        if len(calls) == 1:
            raise RuntimeError("UI bug")
        recorder.on_read(read)  # type: ignore[arg-type]

    thread = ReaderThread(
        virtual_reader.port, on_read=failing_on_read, on_status=recorder.on_status
    )
    thread.start()
    try:
        recorder.wait_for_status(ReaderState.CONNECTED)
        virtual_reader.present("0F00123456")
        virtual_reader.present("1A0067B3C2")
        assert recorder.next_read().badge == "1A0067B3C2"
        assert thread.is_alive()
    finally:
        thread.stop()
        thread.join(WAIT)


def test_rejected_frames_are_reported_and_counted(
    virtual_reader: VirtualReader, recorder: Recorder, start_reader: StartReader
) -> None:
    thread = start_reader(virtual_reader.port)
    recorder.wait_for_status(ReaderState.CONNECTED)
    virtual_reader.write(b"\x020F0012345600\x03")
    assert recorder.rejects.get(timeout=WAIT) == ("bad-checksum", b"\x020F0012345600\x03")
    assert thread.reject_counts() == {"bad-checksum": 1}


def test_invalid_configuration_raises_in_the_caller_not_on_the_thread() -> None:
    with pytest.raises(ValueError, match="unknown reader protocol"):
        ReaderThread("/dev/ttyUSB0", "rdm6300", on_read=print)
    with pytest.raises(ValueError, match="evdev"):
        ReaderThread("/dev/ttyUSB0", "wedge", on_read=print)


def test_statuses_and_logs_never_contain_badge_ids(
    virtual_reader: VirtualReader,
    recorder: Recorder,
    start_reader: StartReader,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    start_reader(virtual_reader.port)
    recorder.wait_for_status(ReaderState.CONNECTED)
    virtual_reader.present("0F00123456")
    virtual_reader.write(b"\x020F0012345600\x03")
    recorder.next_read()
    recorder.rejects.get(timeout=WAIT)
    virtual_reader.close()
    recorder.wait_for_status(ReaderState.ERROR)
    assert "0F00123456" not in caplog.text
    assert all("0F00" not in status.message for status in recorder.status_history)
