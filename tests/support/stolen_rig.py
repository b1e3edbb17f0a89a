"""A demo site for the stolen-terminal tests: the real server on 127.0.0.1 with the demo
company, and an enrolled terminal run headless (runtime, core worker, sync) in a folder
of its own, stopped and started again as a power cut would."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.app.sync_link import start_sync
from kiosk.demo.server import DemoServer
from kiosk.settings.config import Config, parse_config
from kiosk.storage import StorageError
from kiosk.sync.enrollment import enroll_terminal
from kiosk.sync.worker import SyncWorker
from tests.support.runtime_rig import start_runtime


class DemoSite:
    """The demo server in ``root/server`` and one terminal's data folder, ``root/terminal``
    (short: the virtual reader's socket lives there)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.terminal_dir = root / "terminal"
        self.server: DemoServer | None = None
        self.url = ""

    def start_server(self) -> None:
        self.server = DemoServer(self.root / "server")
        self.url = self.server.url

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def enroll(self) -> None:
        assert self.server is not None
        enroll_terminal(self.terminal_dir, self.url, self.server.new_enrollment_code(),
                        "Corridor terminal")

    def config(self, url: str | None = None) -> Config:
        """The terminal's config; ``url``: where it looks for the server (default: the
        server's current address; a dead port plays an unreachable server)."""
        data = {"terminal": {"data_dir": str(self.terminal_dir), "name": "Corridor terminal"},
                "reader": {"protocol": "virtual"}, "camera": {"source": "virtual"},
                "server": {"url": url or self.url}}
        return parse_config(data, self.terminal_dir)


class RunningTerminal:
    """A headless terminal: its runtime, its front-end loop and its sync worker."""

    def __init__(self, config: Config) -> None:
        self.runtime, self.view, self.loop, _readers, self.storage = start_runtime(config)
        self.statuses: list[Any] = []
        self.sync: SyncWorker | None = start_sync(config, self.runtime.worker,
                                                  self.statuses.append)

    def core(self, call: Callable[[Any], Any], timeout: float = 10.0) -> Any:
        """Run ``call(terminal)`` on the core worker; its result."""
        box: list[Any] = []
        self.runtime.worker.submit(call, box.append, box.append)
        self.loop.run_until(lambda: bool(box), timeout)
        if isinstance(box[0], Exception):
            raise box[0]
        return box[0]

    def wait_core(self, predicate: Callable[[Any], bool], timeout: float = 20.0) -> None:
        """Until ``predicate(terminal)`` holds on the core worker."""
        end = time.monotonic() + timeout
        while not self._holds(predicate):
            if time.monotonic() > end:
                raise TimeoutError("condition not met on the core worker")
            time.sleep(0.1)

    def _holds(self, predicate: Callable[[Any], bool]) -> bool:
        try:
            return bool(self.core(predicate))
        except StorageError:  # the cache moved under a connection opened before the key
            return False

    def present(self, badge: str) -> Any:
        """Present a badge as the reader would; the outcome the station showed."""
        before = len(self.view.shown)
        self.runtime.station.on_badge(badge)
        self.loop.run_until(lambda: len(self.view.shown) > before)
        return self.view.shown[before][1]

    def stop(self) -> None:
        if self.sync is not None:
            self.sync.stop()
        self.runtime.stop()


@contextmanager
def demo_site() -> Iterator[DemoSite]:
    root = Path(tempfile.mkdtemp(prefix="kst-"))  # short path: the reader's socket
    site = DemoSite(root)
    try:
        yield site
    finally:
        site.stop_server()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def running(config: Config) -> Iterator[RunningTerminal]:
    terminal = RunningTerminal(config)
    try:
        yield terminal
    finally:
        terminal.stop()



def has_messages(terminal: Any) -> bool:
    """The cache is open and holds demo worker 1's messages (most demo messages are hers)."""
    return not terminal.cache_locked and len(terminal.inbox(1)) >= 5


@contextmanager
def synced_site() -> Iterator[DemoSite]:
    """A demo site whose terminal enrolled, synced its directory and messages with the
    cache key, and was stopped; the server still runs."""
    with demo_site() as site:
        site.start_server()
        site.enroll()
        with running(site.config()) as terminal:
            terminal.wait_core(has_messages)
        yield site
