"""Commands on the headless terminal's standard input: bad input is refused with a
reason, never a crash, and nothing runs without a worker's open session."""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.app.headless import run_headless
from kiosk.settings.config import parse_config


class Events:
    """A text stream the headless terminal prints to; each JSON line becomes an event."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()

    def write(self, text: str) -> int:
        for line in text.splitlines():
            self.queue.put(json.loads(line))
        return len(text)

    def flush(self) -> None:
        pass

    def next(self, event: str, timeout: float = 10.0) -> dict[str, Any]:
        while True:
            got = self.queue.get(timeout=timeout)
            if got["event"] == event:
                return got


@pytest.fixture
def headless(tmp_path: Path) -> Iterator[tuple[Any, Events]]:
    config = parse_config({"terminal": {"data_dir": str(tmp_path / "data")},
                           "reader": {"protocol": "virtual"}}, tmp_path)
    read_end, write_end = os.pipe()
    commands = os.fdopen(read_end, "r")
    writer = os.fdopen(write_end, "w")
    events, stop = Events(), threading.Event()
    thread = threading.Thread(target=run_headless, args=(config, stop, events, commands))
    thread.start()
    events.next("virtual_reader")
    yield writer, events
    stop.set()
    writer.close()
    thread.join(10)


def _send(writer: Any, line: str) -> None:
    writer.write(line + "\n")
    writer.flush()


@pytest.mark.parametrize("line, reason", [
    ("not json at all", "invalid_json"),
    ("[1, 2, 3]", "not_a_command"),
    ('{"command": "format_disk"}', "unknown_command"),
    ('{"command": "send", "to_employees": [2], "body": "hello"}', "no_session"),
    ('{"command": "inbox"}', "no_session"),
    ('{"command": "acknowledge", "message_id": "m-1"}', "no_session"),
])
def test_a_bad_or_untimely_command_is_refused_with_its_reason(headless, line: str,
                                                              reason: str) -> None:
    writer, events = headless
    _send(writer, line)
    assert events.next("command_refused")["reason"] == reason


def test_an_overlong_line_is_refused_and_the_next_command_still_runs(headless) -> None:
    writer, events = headless
    _send(writer, '{"command": "inbox", "pad": "' + "x" * 70_000 + '"}')
    assert events.next("command_refused")["reason"] == "line_too_long"
    _send(writer, '{"command": "inbox"}')
    assert events.next("command_refused")["reason"] == "no_session"
