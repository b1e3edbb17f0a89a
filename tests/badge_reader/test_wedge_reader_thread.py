"""WedgeReaderThread: the evdev side that needs no real keyboard device."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from badge_reader.status import ReaderState
from badge_reader.wedge_runner import WedgeReaderThread

if TYPE_CHECKING:
    from conftest import Recorder

WAIT = 3.0


def run_until_error(device: str, recorder: Recorder) -> str:
    thread = WedgeReaderThread(device, **recorder.callbacks())
    thread.start()
    try:
        return recorder.wait_for_status(ReaderState.ERROR).message
    finally:
        thread.stop()
        thread.join(WAIT)


def test_missing_input_device_reports_not_found(short_tmp: Path, recorder: Recorder) -> None:
    pytest.importorskip("evdev")
    device = str(short_tmp / "event-kbd")
    assert run_until_error(device, recorder) == f"Reader not found on {device}"


def test_without_python_evdev_the_thread_reports_how_to_install_it(
    short_tmp: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "evdev", None)  # as if the package were not installed
    message = run_until_error(str(short_tmp / "event-kbd"), recorder)
    assert "pip install evdev" in message


def test_importing_badge_reader_loads_neither_evdev_nor_the_ui() -> None:
    code = (
        "import sys, badge_reader.cli; "
        "print(sorted({'evdev', 'kivy', 'kiosk', 'ui'} & set(sys.modules)))"
    )
    repo_root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        cwd=repo_root,
    )
    assert result.stdout.strip() == "[]"


def test_serial_protocol_names_are_refused() -> None:
    with pytest.raises(ValueError, match="serial"):
        WedgeReaderThread("/dev/input/event3", "em4100", on_read=print)
