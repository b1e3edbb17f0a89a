"""The running terminal without Kivy, for tests: a recording view and a front-end loop.

``TerminalRuntime`` needs a ``StationView`` and a ``deliver`` that runs calls on the
front end's thread; here the view is the recording one (``tests.support.station_view``),
and ``Loop`` is that thread (the test's own, running what was delivered until a condition holds).
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import Any

from kiosk.app.runtime import TerminalRuntime
from tests.support.station_view import RecordingView


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


def start_runtime(config: Any) -> tuple[TerminalRuntime, RecordingView, Loop, list[Any], list[Any]]:
    """A started runtime on ``config``: (runtime, view, loop, reader statuses, storage
    statuses). The caller stops it."""
    view, loop, readers, storage = RecordingView(), Loop(), [], []
    runtime = TerminalRuntime(config, view, loop.deliver, readers.append, storage.append)
    runtime.start()
    return runtime, view, loop, readers, storage
