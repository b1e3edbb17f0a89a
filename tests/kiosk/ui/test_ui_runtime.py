"""The wiring without Kivy: config -> core worker -> station -> reader, with a recording view."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from badge_reader import ReaderState, ReaderStatus
from kiosk.app.runtime import StorageStatus
from kiosk.demo.prepare import demo_config
from kiosk.domain.models import OutcomeKind
from tests.support.runtime_rig import start_runtime


@pytest.fixture
def short_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="krt-"))  # short: holds a socket
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_virtual_reader_badge_reaches_the_view(short_dir):
    runtime, view, loop, readers, storage = start_runtime(demo_config(short_dir))
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
    runtime, view, loop, readers, _ = start_runtime(config)
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
    runtime, view, loop, _, storage = start_runtime(
        config.with_values(terminal__data_dir=str(broken)))
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
