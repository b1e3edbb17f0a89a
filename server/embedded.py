"""Run the server inside another Python program (terminal demo, tests).

    handle = start_embedded_server("/tmp/demo.db", "127.0.0.1", 0)
    print(handle.url)   # http://127.0.0.1:<port>
    handle.stop()
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from server.app import create_app
from server.attachment_store import locate
from server.config import ServerSettings
from server.db import url_from_path
from server.notify import ChangeNotifier


@dataclass
class EmbeddedServer:
    """A running server: ``url`` to talk to it, ``stop()`` to end it (idempotent)."""

    url: str
    db_url: str
    _server: uvicorn.Server = field(repr=False)
    _notifier: ChangeNotifier = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _temporary: str | None = field(default=None, repr=False)  # its own attachment folder

    @property
    def app(self) -> Any:
        """The FastAPI app being served (its ``state``: what tests and tools inspect)."""
        return self._server.config.app

    def stop(self, timeout: float = 10.0) -> None:
        if not self._thread.is_alive():
            return
        self._notifier.close_threadsafe()  # long-polls answer now, not after 25 s
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)

    def __enter__(self) -> EmbeddedServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_embedded_server(db_path: str | Path, host: str = "127.0.0.1", port: int = 0,
                          settings: ServerSettings | None = None,
                          log_level: str = "warning") -> EmbeddedServer:
    """Start uvicorn on a thread and return once it accepts connections.

    ``db_path`` is a SQLite file (created and migrated if needed) or a SQLAlchemy
    URL; ``port=0`` picks a free port (read it from ``.url``). Without ``settings``,
    drawings render on a thread of this process, not in a worker process: a process
    embedding the server (the demo terminal, tests) keeps its children to itself.
    """
    if settings is None:
        settings = ServerSettings(drawing_render_processes=0)
    temporary = None
    if settings.attachment_store is None and locate(url_from_path(db_path)) is None:
        # PostgreSQL with no store given (tests): a folder of this server's own.
        temporary = tempfile.mkdtemp(prefix="kiosk-attachments-")
        settings = dataclasses.replace(settings, attachment_store=temporary)
    app = create_app(str(db_path), settings)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=3,
                            lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"kiosk-server-{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("embedded server failed to start")
        time.sleep(0.01)
    url_host = f"[{host}]" if ":" in host else host
    return EmbeddedServer(url=f"http://{url_host}:{bound_port}", db_url=app.state.db.url,
                          _server=server, _notifier=app.state.notifier, _thread=thread,
                          _temporary=temporary)
