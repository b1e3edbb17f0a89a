"""Fixtures of the terminal's tests: a seeded terminal database; one real server on
127.0.0.1 per module, enrollment codes, configs, and a fake HTTP server.

Packages below may define their own ``server`` (tests/kiosk/sync does): the closer
conftest wins.
"""


from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kiosk.demo.company import seed_demo
from kiosk.domain.terminal import Terminal
from kiosk.settings.config import Config, parse_config
from tests.support.enrollment_server import (  # noqa: F401  (fixtures for the tests below)
    make_code,
    server,
    server_db,
    server_path,
    site_id,
)


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


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A real terminal database file, seeded with the demo company."""
    term = Terminal.open(tmp_path / "kiosk.sqlite3")
    seed_demo(term.db)
    yield term
    term.close()
