"""Fixtures: a real server (uvicorn on 127.0.0.1, free port) on a SQLite file in tmp_path;
PostgreSQL databases for the tests that need one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from server_testkit import Terminal, World, enrollment_code
from sqlalchemy import create_engine, make_url

from server.config import ServerSettings
from server.db import Database, url_from_path
from server.embedded import EmbeddedServer, start_embedded_server
from server.repo import directory, groups, site_settings

PG_ADMIN_URL = os.environ.get("KIOSK_TEST_PG_URL")  # e.g. postgresql+psycopg://u@/postgres


@contextmanager
def fresh_pg_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """An empty PostgreSQL database on ``admin_url``'s server (a copy of ``template``
    when given), dropped afterwards: its URL."""
    name = f"kiosk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}"
                             + (f" TEMPLATE {template}" if template else ""))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    if template:  # each database has its own epoch, as each real server has
        copy = create_engine(url, isolation_level="AUTOCOMMIT")
        with copy.connect() as conn:
            conn.exec_driver_sql("UPDATE server_meta SET value = md5(random()::text) "
                                 "WHERE key = 'epoch'")
        copy.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_path(request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Path | str]:
    """The server's database, once per engine: a SQLite file (its attachments next to
    it), then a fresh PostgreSQL database (on KIOSK_TEST_PG_URL's server, else on a
    throwaway cluster started for the session; skipped, with the reason, where psycopg
    or PostgreSQL is missing), its attachments in $KIOSK_ATTACHMENTS."""
    if request.param == "sqlite":
        yield tmp_path / "kiosk.db"
        return
    monkeypatch.setenv("KIOSK_ATTACHMENTS", str(tmp_path / "attachments"))
    with fresh_pg_database(request.getfixturevalue("pg_admin_url"),
                           request.getfixturevalue("pg_migrated_template")) as url:
        yield url


@pytest.fixture(scope="session")
def pg_migrated_template(pg_admin_url: str) -> Iterator[str]:
    """A database migrated to the newest revision once per session: each test's database
    is a copy of it (CREATE DATABASE ... TEMPLATE), not six migrations run again.
    Migrations themselves are tested on empty databases (``pg_url``)."""
    name = f"kiosk_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    database.migrate()
    database.dispose()  # a template must have no open connection when it is copied
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    admin.dispose()


def postgres_binary(name: str) -> str | None:
    """``initdb`` or ``pg_ctl``: on the PATH, else in Debian's versioned folder (the
    ``postgresql`` package keeps them out of the PATH), the newest version first."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return str(candidates[-1]) if candidates else None


def _as_postgres_user(args: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as 'nobody' then."""
    return ["runuser", "-u", "nobody", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A PostgreSQL server's maintenance database: KIOSK_TEST_PG_URL's, else a throwaway
    cluster started for the session. Skips where psycopg or PostgreSQL is missing."""
    pytest.importorskip("psycopg")
    if PG_ADMIN_URL:
        yield PG_ADMIN_URL
        return
    initdb, pg_ctl = postgres_binary("initdb"), postgres_binary("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries not installed (./dev installs 'postgresql')")
    # not under pytest's tmp dir: 'nobody' could not reach it
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "nobody")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = root / "data"
    subprocess.run(_as_postgres_user([initdb, "-D", str(data), "-U", "kiosk", "--auth=trust",
                                      "-E", "UTF8"]), check=True, capture_output=True)
    options = f"-k {root} -p {port} -c listen_addresses='' -c fsync=off"
    subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-o", options, "-l",
                                      str(root / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    yield f"postgresql+psycopg://kiosk@/postgres?host={root}&port={port}"
    subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-m", "fast", "stop"]),
                   check=False, capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database (skipped where PostgreSQL or psycopg is missing)."""
    with fresh_pg_database(pg_admin_url) as url:
        yield url


@pytest.fixture
def server_settings() -> ServerSettings | None:
    """The server's settings (None: the defaults); a test module may override this."""
    return None


@pytest.fixture
def server(db_path: Path | str, server_settings: ServerSettings | None) -> Iterator[EmbeddedServer]:
    handle = start_embedded_server(db_path, "127.0.0.1", 0, server_settings)
    yield handle
    handle.stop()


@pytest.fixture
def db(server: EmbeddedServer, db_path: Path | str) -> Iterator[Database]:
    """The server's database, opened separately (as the admin CLI would)."""
    database = Database(url_from_path(db_path))
    yield database
    database.dispose()


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as conn:
        site = directory.create_site(conn, "Plant A", "Europe/Paris", "fr")
        other = directory.create_site(conn, "Plant B", "Europe/Berlin", "de")
        hr = directory.create_employee(conn, "Hana HR", site, role="hr")
        alice = directory.create_employee(conn, "Alice", site)
        bob = directory.create_employee(conn, "Bob", site, role="manager")
        carol = directory.create_employee(conn, "Carol", other)
        directory.add_badge(conn, alice, "0F00123456")
        line3 = groups.create_group(conn, "Line 3")
        groups.set_member(conn, line3, alice, can_post=True)
        groups.set_member(conn, line3, bob, can_post=True)
        groups.set_member(conn, line3, carol, can_post=False)
        groups.set_contacts(conn, alice, [bob, hr], [line3])
        groups.set_contacts(conn, carol, [alice], [line3])
    return World(site, other, hr, alice, bob, carol, line3)


@pytest.fixture
def enroll(server: EmbeddedServer, db: Database) -> Iterator[Callable[..., Terminal]]:
    """enroll(site_id, name) -> an enrolled Terminal client."""
    clients: list[Terminal] = []

    def make(site_id: int, name: str = "wall terminal") -> Terminal:
        response = httpx.post(f"{server.url}/v1/enroll",
                              json={"code": enrollment_code(db, site_id), "terminal_name": name})
        assert response.status_code == 201, response.text
        body = response.json()
        client = Terminal(base_url=server.url, timeout=30,
                          headers={"Authorization": f"Bearer {body['token']}"})
        client.terminal_id = body["terminal_id"]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def terminal(enroll: Callable[..., Terminal], world: World) -> Terminal:
    """A terminal enrolled at world.site."""
    return enroll(world.site)


@pytest.fixture
def staff_authority(db: Database, world: World) -> None:
    """HR and managers keep their authority on world.site's terminals (off by default)."""
    with db.write() as conn:
        site_settings.update_settings(conn, world.site, {"terminal_staff_authority": True})


@pytest.fixture
def plant_b(enroll: Callable[..., Terminal], world: World) -> Terminal:
    """A terminal at world.other_site (Carol's)."""
    return enroll(world.other_site, "plant B")
