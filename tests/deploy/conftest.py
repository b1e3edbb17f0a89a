"""Fixtures for deployment tests: one real server on 127.0.0.1 per module, configs, fakes."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import Config, parse_config
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


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    """A validated config rooted in tmp_path; keyword args are 'section__key' overrides."""

    def make(**values: Any) -> Config:
        data: dict[str, dict[str, Any]] = {"terminal": {"data_dir": str(tmp_path / "data")},
                                           "reader": {"protocol": "virtual"}}
        for dunder, value in values.items():
            section, key = dunder.split("__", 1)
            data.setdefault(section, {})[key] = value
        return parse_config(data, tmp_path)

    return make


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fake_http() -> Iterator[Callable[[int, Any], str]]:
    """Start a plain HTTP server answering every GET with (status, body); returns its URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int, body: Any) -> str:
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        kind = "text/html" if isinstance(body, str) else "application/json"

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()
