"""Two small rigs many tests share: a clock the test moves by hand, and a main loop that
plays the UI thread (callbacks from the core worker wait in it until the test runs them)."""

from __future__ import annotations

import queue
from collections.abc import Callable


class FakeClock:
    """A ``time.monotonic``-like callable; the test sets or advances ``now``."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class MainLoop:
    """Plays the UI thread: ``deliver`` (what the core worker calls) queues a callback,
    ``run_one`` runs the next one on the test's thread."""

    def __init__(self) -> None:
        self.calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def deliver(self, fn: Callable[[], None]) -> None:
        self.calls.put(fn)

    def run_one(self, timeout: float = 5.0) -> None:
        self.calls.get(timeout=timeout)()
