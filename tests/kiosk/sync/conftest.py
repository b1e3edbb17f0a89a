"""Fixtures for sync tests: the real server on 127.0.0.1 and a real terminal database."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.domain.terminal import Terminal
from kiosk.sync.client import ServerClient
from kiosk.sync.status import SyncStatus
from kiosk.sync.worker import SyncWorker
from server.db import Database, url_from_path
from server.embedded import EmbeddedServer, start_embedded_server
from server.repo import directory, groups, terminals


@dataclass
class Site:
    site: int
    alice: int
    bob: int
    hr: int
    line: int
    alice_badge: str = "0F00123456"


@pytest.fixture
def server_db_path(tmp_path: Path) -> Path:
    return tmp_path / "server.db"


@pytest.fixture
def server(server_db_path: Path) -> Iterator[EmbeddedServer]:
    handle = start_embedded_server(server_db_path, "127.0.0.1", 0)
    yield handle
    handle.stop()


@pytest.fixture
def server_db(server: EmbeddedServer, server_db_path: Path) -> Iterator[Database]:
    database = Database(url_from_path(server_db_path))
    yield database
    database.dispose()


@pytest.fixture
def site(server_db: Database) -> Site:
    with server_db.write() as conn:
        site = directory.create_site(conn, "Usine Nord", "Europe/Paris", "fr")
        hr = directory.create_employee(conn, "Nadia Roux", site, role="hr")
        alice = directory.create_employee(conn, "Alice Martin", site)
        bob = directory.create_employee(conn, "Bob Smith", site, role="manager")
        directory.add_badge(conn, alice, "0F00123456")
        line = groups.create_group(conn, "Ligne 1")
        groups.set_member(conn, line, alice, can_post=True)
        groups.set_member(conn, line, bob, can_post=True)
        groups.set_contacts(conn, alice, [bob, hr], [line])
    return Site(site, alice, bob, hr, line)


@pytest.fixture
def token(server: EmbeddedServer, server_db: Database, site: Site) -> str:
    with server_db.write() as conn:
        code = terminals.create_enrollment_code(conn, site.site, timedelta(hours=1))[0]
    client = ServerClient(server.url)
    try:
        return client.enroll(code, "Terminal test")["token"]
    finally:
        client.close()


@pytest.fixture
def terminal_path(tmp_path: Path) -> Path:
    path = tmp_path / "terminal" / "kiosk.sqlite3"
    Terminal.open(path).close()
    return path


class SyncRig:
    """A sync worker on a real terminal database, with its statuses collected."""

    def __init__(self, terminal_path: Path, url: str, token: str) -> None:
        self.terminal_path = terminal_path
        self.statuses: queue.SimpleQueue[SyncStatus] = queue.SimpleQueue()
        self.changes: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.worker = SyncWorker(
            terminal_path, lambda: ServerClient(url, token), self.statuses.put, self.changes.put
        )

    def wait_for(self, predicate, timeout: float = 10.0) -> SyncStatus:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status = self.statuses.get(timeout=0.1)
            except queue.Empty:
                status = self.worker.status
            if predicate(status):
                return status
        raise AssertionError(f"timed out; last status {self.worker.status}")


@pytest.fixture
def make_rig(terminal_path: Path, token: str):
    rigs: list[SyncRig] = []

    def make(url: str) -> SyncRig:
        rig = SyncRig(terminal_path, url, token)
        rigs.append(rig)
        rig.worker.start()
        return rig

    yield make
    for rig in rigs:
        rig.worker.stop()
