"""One real server on 127.0.0.1 per test module, with a site and enrollment codes.

Fixtures for tests that enroll a terminal (``kiosk enroll``, ``kiosk doctor``); a
conftest or test module imports the ones it uses.  The sync tests have their own
per-test server (tests/kiosk/sync/conftest.py); their enrollment tests import these,
which then win over the conftest's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from server.db import Database, url_from_path
from server.embedded import EmbeddedServer, start_embedded_server
from server.repo import directory, terminals


@pytest.fixture(scope="module")
def server_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server") / "server.db"


@pytest.fixture(scope="module")
def server(server_path: Path) -> Iterator[EmbeddedServer]:
    handle = start_embedded_server(server_path, "127.0.0.1", 0)
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def server_db(server: EmbeddedServer, server_path: Path) -> Iterator[Database]:
    database = Database(url_from_path(server_path))
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def site_id(server_db: Database) -> int:
    with server_db.write() as conn:
        return directory.create_site(conn, "Usine Nord", "Europe/Paris", "fr")


@pytest.fixture
def make_code(server_db: Database, site_id: int) -> Callable[..., str]:
    """A fresh one-time enrollment code; ``ttl`` may be negative for an expired one."""

    def make(ttl: timedelta = timedelta(hours=1)) -> str:
        with server_db.write() as conn:
            return terminals.create_enrollment_code(conn, site_id, ttl)[0]

    return make
