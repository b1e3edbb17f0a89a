"""A real server on loopback with a site, workers and enrolled terminals, for the benchmarks.

``start_site("thread")`` runs the server embedded in the benchmark's own process
(``server.embedded``: what the terminal demo does); ``start_site("process")``
runs ``python -m server serve`` as a child process, as in production, so that
benchmark clients and server do not share one interpreter lock.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import IO, Literal, Protocol

import httpx

from kiosk.sync.client import ServerClient
from server.config import ServerSettings
from server.db import Database, url_from_path
from server.embedded import start_embedded_server
from server.repo import directory, groups, terminals

REPO_ROOT = Path(__file__).resolve().parents[1]
ServerMode = Literal["thread", "process"]


class RunningServer(Protocol):
    url: str

    def stop(self) -> None: ...


@dataclass
class ServerProcess:
    """``python -m server serve`` in a child process; its log goes to ``log_path``."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # graceful shutdown, exit status 0
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_server_process(db_path: Path | str, host: str = "127.0.0.1",
                         startup_timeout: float = 120.0,
                         serve_args: tuple[str, ...] = (),
                         log_dir: Path | None = None) -> ServerProcess:
    """Start ``python -m server serve --db PATH --host H --port N``; return once it
    answers GET /v1/info.  ``db_path`` may be a SQLAlchemy URL (PostgreSQL); the log
    then goes to ``log_dir``."""
    port = _free_port(host)
    if isinstance(db_path, Path):
        log_path = db_path.with_suffix(f".{port}.server.log")
    else:
        log_path = (log_dir or Path(tempfile.gettempdir())) / f"server-{port}.log"
    log = log_path.open("wb")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--db", str(db_path), "--host", host,
         "--port", str(port), "--log-level", "warning", *serve_args],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = ServerProcess(f"http://{host}:{port}", process, log_path, log)
    deadline = time.monotonic() + startup_timeout
    while True:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"server exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{server.url}/v1/info", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"server did not answer within {startup_timeout} s")
        time.sleep(0.05)


@dataclass
class BenchSite:
    server: RunningServer
    db: Database
    site: int
    alice: int
    bob: int
    folder: Path
    tokens: list[str] = field(default_factory=list)
    # Every server process on the same database (the first is ``server``).
    servers: list[RunningServer] = field(default_factory=list)

    def enroll(self, count: int) -> list[str]:
        client = ServerClient(self.server.url)
        try:
            for n in range(count):
                with self.db.write() as conn:
                    code = terminals.create_enrollment_code(conn, self.site, timedelta(hours=1))[0]
                self.tokens.append(client.enroll(code, f"bench terminal {n}")["token"])
        finally:
            client.close()
        return self.tokens[-count:]

    def close(self) -> None:
        for server in self.servers or [self.server]:
            server.stop()
        self.db.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_site(mode: ServerMode = "thread", serve_args: tuple[str, ...] = (),
               db_url: str | None = None, processes: int = 1) -> BenchSite:
    """A fresh database and server; site "Bench plant" with Alice and Bob, who may write
    to each other. ``serve_args``: more options of ``serve`` (process mode).
    ``db_url``: an empty PostgreSQL database instead of a new SQLite file; ``processes``
    server processes on it (process mode), started one after the other (each migrates)."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    path: Path | str = db_url or folder / "server.db"
    settings = None
    if db_url:  # a PostgreSQL server needs its attachment store named
        store = str(folder / "attachments")
        serve_args = ("--attachments", store, *serve_args)
        settings = replace(ServerSettings(), attachment_store=store)
    servers: list[RunningServer] = []
    for _ in range(processes):
        if mode == "process":
            servers.append(start_server_process(path, serve_args=serve_args, log_dir=folder))
        else:
            servers.append(start_embedded_server(path, "127.0.0.1", 0, settings))
    server = servers[0]
    db = Database(url_from_path(path))
    with db.write() as conn:
        site = directory.create_site(conn, "Bench plant", "Europe/Paris", "fr")
        alice = directory.create_employee(conn, "Alice Bench", site)
        bob = directory.create_employee(conn, "Bob Bench", site)
        groups.set_contacts(conn, alice, [bob], [])
        groups.set_contacts(conn, bob, [alice], [])
    return BenchSite(server, db, site, alice, bob, folder, servers=servers)


@contextmanager
def fresh_pg_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of ``server_url`` (which names any
    database there), dropped afterwards: its URL."""
    from sqlalchemy import create_engine, make_url

    name = f"kiosk_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]
