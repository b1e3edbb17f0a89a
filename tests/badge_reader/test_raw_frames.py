"""The reader's last raw frames and counters (for the admin screen), on a real pty reader."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from badge_reader.frames import ACCEPTED, KEEP_FRAMES, REJECTED, REPEAT, FrameLog
from badge_reader.protocols.em4100 import encode_frame
from badge_reader.runner import ReaderThread
from badge_reader.status import ReaderState
from badge_reader.virtual import VirtualReader

if TYPE_CHECKING:
    from conftest import Recorder

StartReader = Callable[..., ReaderThread]
WAIT = 3.0


def wait_for_frames(reader: ReaderThread, count: int) -> None:
    end = time.monotonic() + WAIT
    while len(reader.frames.snapshot().frames) < count:
        assert time.monotonic() < end, "frames did not arrive"
        time.sleep(0.01)


@pytest.fixture
def connected(virtual_reader: VirtualReader, recorder: Recorder,
              start_reader: StartReader) -> ReaderThread:
    reader = start_reader(virtual_reader.port, repeat_window=0.5)
    recorder.wait_for_status(ReaderState.CONNECTED)
    return reader


def test_an_accepted_frame_is_kept_as_hex_with_its_time(
    virtual_reader: VirtualReader, connected: ReaderThread
) -> None:
    before = time.time()
    virtual_reader.present("0F00123456")
    wait_for_frames(connected, 1)
    [frame] = connected.frames.snapshot().frames
    assert frame.outcome == ACCEPTED and frame.protocol == "em4100"
    assert frame.hex == encode_frame("0F00123456").hex(" ").upper()
    assert frame.hex.startswith("02 30 46") and before <= frame.wall_time <= time.time()


def test_a_frame_with_a_bad_checksum_is_kept_as_rejected_with_its_reason(
    virtual_reader: VirtualReader, connected: ReaderThread
) -> None:
    bad = bytearray(encode_frame("0F00123456"))
    bad[-2] = ord("0") if bad[-2] != ord("0") else ord("1")  # spoil the checksum
    virtual_reader.write(bytes(bad))
    wait_for_frames(connected, 1)
    snapshot = connected.frames.snapshot()
    [frame] = snapshot.frames
    assert (frame.outcome, frame.reason) == (REJECTED, "bad-checksum")
    assert snapshot.rejected == {"bad-checksum": 1} and snapshot.accepted == 0


def test_a_card_held_on_the_reader_shows_its_repeats(
    virtual_reader: VirtualReader, connected: ReaderThread
) -> None:
    virtual_reader.present("0F00123456", repeat=3, interval=0.05)
    wait_for_frames(connected, 3)
    snapshot = connected.frames.snapshot()
    assert [f.outcome for f in snapshot.frames] == [REPEAT, REPEAT, ACCEPTED]  # newest first
    assert (snapshot.accepted, snapshot.repeats) == (1, 2)


def test_only_the_last_frames_are_kept_but_every_frame_is_counted(
    virtual_reader: VirtualReader, recorder: Recorder, connected: ReaderThread
) -> None:
    badges = [f"0A0000C0{n:02d}" for n in range(KEEP_FRAMES + 3)]
    for badge in badges:
        virtual_reader.present(badge)
    for _ in badges:
        recorder.next_read()
    snapshot = connected.frames.snapshot()
    assert len(snapshot.frames) == KEEP_FRAMES and snapshot.accepted == len(badges)
    assert snapshot.frames[0].hex == encode_frame(badges[-1]).hex(" ").upper()


def test_frames_never_reach_the_log(
    virtual_reader: VirtualReader, connected: ReaderThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    virtual_reader.present("0F00123456")
    wait_for_frames(connected, 1)
    frame = connected.frames.snapshot().frames[0]
    assert "0F00123456" not in repr(frame) and "30 46" not in repr(frame)
    assert "0F00123456" not in caplog.text and frame.hex not in caplog.text


def test_the_log_is_safe_to_read_while_the_reader_thread_writes() -> None:
    log = FrameLog(size=5)
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            log.record(b"\x02noise", REJECTED, "noise")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(2000):
            snapshot = log.snapshot()
            assert len(snapshot.frames) <= 5
            assert snapshot.rejected_total >= len(snapshot.frames)
    finally:
        stop.set()
        writer.join()
