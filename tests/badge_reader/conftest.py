"""Shared fixtures for the badge_reader tests: real ptys, real threads, short socket paths.

Helpers are handed out as fixtures (not imported from here), so the tests work
whatever import mode pytest is configured with.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from badge_reader.read import BadgeRead
from badge_reader.runner import ReaderThread
from badge_reader.status import ReaderState, ReaderStatus
from badge_reader.virtual import VirtualReader

WAIT = 3.0  # generous upper bound for anything that should happen "at once"
# Fast reconnects so tests that unplug and replug a reader stay quick.
FAST_BACKOFF = {"backoff_initial": 0.05, "backoff_max": 0.2}


class Recorder:
    """Collects what a reader thread reports, with blocking waits instead of sleeps."""

    def __init__(self) -> None:
        self.reads: queue.Queue[BadgeRead] = queue.Queue()
        self.statuses: queue.Queue[ReaderStatus] = queue.Queue()
        self.rejects: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.status_history: list[ReaderStatus] = []

    def on_read(self, read: BadgeRead) -> None:
        self.reads.put(read)

    def on_status(self, status: ReaderStatus) -> None:
        self.statuses.put(status)

    def on_reject(self, reason: str, raw: bytes) -> None:
        self.rejects.put((reason, raw))

    def callbacks(self) -> dict[str, Any]:
        return {"on_read": self.on_read, "on_status": self.on_status, "on_reject": self.on_reject}

    def next_read(self, timeout: float = WAIT) -> BadgeRead:
        return self.reads.get(timeout=timeout)

    def wait_for_status(self, state: ReaderState, timeout: float = WAIT) -> ReaderStatus:
        """Return the first status in ``state`` (earlier ones are kept in status_history)."""
        while True:
            status = self.statuses.get(timeout=timeout)
            self.status_history.append(status)
            if status.state == state:
                return status


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A short temporary folder: UNIX socket paths must stay under ~100 characters."""
    path = Path(tempfile.mkdtemp(prefix="br-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def virtual_reader() -> Iterator[VirtualReader]:
    with VirtualReader() as reader:
        yield reader


@pytest.fixture
def start_reader(recorder: Recorder) -> Iterator[Callable[..., ReaderThread]]:
    """Start ReaderThreads wired to ``recorder``; each is stopped and joined after the test."""
    threads: list[ReaderThread] = []

    def start(port: str, protocol: str = "em4100", **kwargs: Any) -> ReaderThread:
        options = {**recorder.callbacks(), **FAST_BACKOFF, **kwargs}
        thread = ReaderThread(port, protocol, **options)
        threads.append(thread)
        thread.start()
        return thread

    yield start
    for thread in threads:
        thread.stop()
    for thread in threads:
        thread.join(timeout=WAIT)
        assert not thread.is_alive(), "reader thread did not stop"


def _repoint_symlink(link: Path, target: str) -> None:
    """Atomically make ``link`` point at ``target`` (like udev replacing a by-id link)."""
    tmp = link.with_name(link.name + ".new")
    os.symlink(target, tmp)
    os.replace(tmp, link)


@pytest.fixture
def repoint_symlink() -> Callable[[Path, str], None]:
    """``repoint_symlink(link, target)``: plug a reader in at a stable path."""
    return _repoint_symlink
