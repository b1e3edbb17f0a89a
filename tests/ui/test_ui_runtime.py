"""The wiring without Kivy: config -> core worker -> station -> reader, with a recording view."""

from __future__ import annotations

import queue
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from badge_reader import ReaderState, ReaderStatus
from kiosk.demo_run import demo_config
from kiosk.models import BadgeOutcome, OutcomeKind
from kiosk.runtime import StorageStatus, TerminalRuntime
from kiosk.session import Session


class RecordingView:
    """A front end that writes down what the station asked it to show (a real StationView)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, Any]] = []

    def show_idle(self) -> None:
        self.shown.append(("idle", None))

    def show_welcome(self, session: Session, outcome: BadgeOutcome) -> None:
        self.shown.append(("welcome", outcome))

    def show_notice(self, outcome: BadgeOutcome) -> None:
        self.shown.append(("notice", outcome))

    def show_punch_changed(self, session: Session) -> None:
        self.shown.append(("punch_changed", session))


class Loop:
    """The front end's thread: ``deliver`` queues, ``run_until`` runs what was queued."""

    def __init__(self) -> None:
        self.calls: queue.Queue[Callable[[], None]] = queue.Queue()

    def deliver(self, call: Callable[[], None]) -> None:
        self.calls.put(call)

    def run_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        end = time.monotonic() + timeout
        while not predicate():
            try:
                self.calls.get(timeout=max(0.01, end - time.monotonic()))()
            except queue.Empty:
                pass
            if time.monotonic() > end:
                raise TimeoutError("condition not met")


@pytest.fixture
def short_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="krt-"))  # short: holds a socket
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _start(config: Any) -> tuple[TerminalRuntime, RecordingView, Loop, list[Any], list[Any]]:
    view, loop, readers, storage = RecordingView(), Loop(), [], []
    runtime = TerminalRuntime(config, view, loop.deliver, readers.append, storage.append)
    runtime.start()
    return runtime, view, loop, readers, storage


def test_virtual_reader_badge_reaches_the_view(short_dir):
    runtime, view, loop, readers, storage = _start(demo_config(short_dir))
    try:
        loop.run_until(lambda: readers and readers[-1].state is ReaderState.CONNECTED)
        assert (short_dir / "virtual-reader.sock").exists()
        loop.run_until(lambda: storage == [StorageStatus(True)])
        runtime.virtual_reader.present("0F00123456")
        loop.run_until(lambda: any(kind == "welcome" for kind, _ in view.shown))
        assert runtime.station.session is not None
    finally:
        runtime.stop()


def test_a_missing_serial_reader_is_a_status_not_a_crash(short_dir):
    config = demo_config(short_dir).with_values(
        reader__protocol="em4100", reader__port=str(short_dir / "no-such-tty")
    )
    runtime, view, loop, readers, _ = _start(config)
    try:
        loop.run_until(lambda: any(s.state is ReaderState.ERROR for s in readers))
        error = next(s for s in readers if s.state is ReaderState.ERROR)
        assert isinstance(error, ReaderStatus) and "no-such-tty" in error.message
        runtime.station.on_badge("0F00123456")  # the terminal itself still works
        loop.run_until(lambda: any(kind == "welcome" for kind, _ in view.shown))
    finally:
        runtime.stop()


def test_a_database_that_cannot_be_opened_is_a_status_and_a_notice(short_dir):
    config = demo_config(short_dir / "seed")
    broken = short_dir / "broken"
    (broken / "kiosk.sqlite3").mkdir(parents=True)  # SQLite cannot open a folder, even as root
    runtime, view, loop, _, storage = _start(config.with_values(terminal__data_dir=str(broken)))
    try:
        loop.run_until(lambda: bool(storage))
        assert storage[0].ok is False and "kiosk.sqlite3" in storage[0].detail
        runtime.station.on_badge("0F00123456")
        loop.run_until(lambda: any(kind == "notice" for kind, _ in view.shown))
        outcome = next(o for kind, o in view.shown if kind == "notice")
        assert outcome.kind is OutcomeKind.STORAGE_ERROR
        assert "0F00123456" not in outcome.detail
    finally:
        runtime.stop()
