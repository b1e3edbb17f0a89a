"""Console fixtures: a real server on 127.0.0.1 with seeded data, logged-in clients, and
(for the browser tests) one headless Chromium for the whole session."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from server.config import ConsoleSettings, ServerSettings
from server.db import Database, url_from_path
from server.embedded import EmbeddedServer, start_embedded_server
from tests.support.broadcast_rig import link
from tests.support.console_rig import ADMIN, MANAGER_A, MANAGER_B, ConsoleClient, Seeded, seed


@pytest.fixture
def console_settings() -> ConsoleSettings:
    """A test module may override this (short timeouts, no backoff)."""
    return ConsoleSettings()


@pytest.fixture
def console_server(db_path: Path | str,
                   console_settings: ConsoleSettings) -> Iterator[EmbeddedServer]:
    """The server on a SQLite file, or with KIOSK_TEST_PG_URL a fresh PostgreSQL db."""
    settings = dataclasses.replace(ServerSettings(drawing_render_processes=0),
                                   console=console_settings)
    handle = start_embedded_server(db_path, "127.0.0.1", 0, settings)
    yield handle
    handle.stop()


@pytest.fixture
def console_db(console_server: EmbeddedServer) -> Iterator[Database]:
    database = Database(url_from_path(console_server.db_url))
    yield database
    database.dispose()


@pytest.fixture
def seeded(console_db: Database) -> Seeded:
    return seed(console_db)


@pytest.fixture
def linked(console_db: Database, seeded: Seeded) -> Seeded:
    """Seeded, with accounts linked to the employee each broadcasts as: the HR admin and
    site A's manager are Hana, site B's manager is Carl."""
    link(console_db, ADMIN, seeded.hana)
    link(console_db, MANAGER_A, seeded.hana)
    link(console_db, MANAGER_B, seeded.carl)
    return seeded


@pytest.fixture
def client(console_server: EmbeddedServer,
           seeded: Seeded) -> Iterator[Callable[[str | None], ConsoleClient]]:
    """client(email) -> a client logged in as that account (None: not logged in)."""
    made: list[ConsoleClient] = []

    def make(email: str | None = None) -> ConsoleClient:
        c = ConsoleClient(console_server.url)
        made.append(c)
        if email is not None:
            assert c.login(email).status_code == 303
        return c

    yield make
    for c in made:
        c.close()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the console's browser tests (Playwright never
    downloads its own). Package-scoped: closed before the rest of the suite runs."""
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium (./dev installs the chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def web_page(browser: Any, console_server: EmbeddedServer, seeded: Seeded) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the console's server, laptop-sized."""
    context = browser.new_context(base_url=console_server.url,
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Chromium tests run on SQLite only: what they check is the page, the same on both
    engines, and each takes seconds; the HTTP tests run on both engines (db_path)."""
    only_sqlite = pytest.mark.skip(reason="browser tests run on SQLite; the HTTP tests "
                                          "cover PostgreSQL")
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "[postgresql" in item.nodeid and ("browser" in fixtures or "web_page" in fixtures):
            item.add_marker(only_sqlite)
