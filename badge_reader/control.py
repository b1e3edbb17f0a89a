"""The control socket of a VirtualReader, so another shell can present a badge.

Wire format: one JSON object per connection, newline-terminated, each way.
Request ``{"command": "present", "badge": "0F00123456", "protocol": null, "repeat": 1}``;
reply ``{"ok": true}`` or ``{"ok": false, "error": "..."}``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 4096
_ACCEPT_POLL = 0.2  # how often the server thread checks whether it was closed


class ControlError(RuntimeError):
    """The virtual reader answered but refused the request."""


def _read_message(sock: socket.socket) -> dict[str, Any]:
    data = b""
    while b"\n" not in data and len(data) < MAX_MESSAGE_BYTES:
        chunk = sock.recv(MAX_MESSAGE_BYTES)
        if not chunk:
            break
        data += chunk
    message = json.loads(data.split(b"\n", 1)[0] or b"null")
    if not isinstance(message, dict):
        raise ValueError("expected a JSON object")
    return message


def _send_message(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


def send_present(
    control_path: str,
    badge: str,
    *,
    protocol: str | None = None,
    repeat: int = 1,
    timeout: float = 10.0,
) -> None:
    """Ask the virtual reader listening on ``control_path`` to present ``badge``.

    Returns once the frames were written. Raises OSError (e.g.
    FileNotFoundError, ConnectionRefusedError) when no virtual reader listens
    there, and ControlError when it refused the badge or protocol.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        # Repeated frames take ~0.5 s each; allow for them on top of the base timeout.
        sock.settimeout(timeout + repeat)
        sock.connect(control_path)
        request = {"command": "present", "badge": badge, "protocol": protocol, "repeat": repeat}
        _send_message(sock, request)
        reply = _read_message(sock)
    if not reply.get("ok"):
        raise ControlError(str(reply.get("error", "request refused")))


class ControlServer:
    """Listens on a UNIX socket and passes each request to ``handler`` on its own thread.

    ``handler(request)`` raises ValueError to refuse a request; the message is
    sent back to the client. A stale socket file left by a crashed reader is
    replaced; a live one (another reader answering) raises FileExistsError, as
    does any path that is not a socket.
    """

    def __init__(self, path: str, handler: Callable[[dict[str, Any]], None]) -> None:
        self.path = path
        self._handler = handler
        self._closed = threading.Event()
        _remove_stale_socket(path)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.bind(path)
            self._sock.listen()
            self._sock.settimeout(_ACCEPT_POLL)
        except OSError:
            self._sock.close()
            raise
        self._thread = threading.Thread(target=self._serve, name="virtual-reader-control")
        self._thread.daemon = True
        self._thread.start()

    def close(self) -> None:
        """Stop serving and remove the socket file."""
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept() on Linux
        except OSError:
            pass
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=2 * _ACCEPT_POLL + 1)
        self._sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # socket closed under us
            with conn:
                self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        try:
            request = _read_message(conn)
            self._handler(request)
            reply: dict[str, Any] = {"ok": True}
        except (ValueError, TypeError) as exc:
            reply = {"ok": False, "error": str(exc)}
        except OSError as exc:
            logger.warning("control request failed: %s", type(exc).__name__)
            return
        try:
            _send_message(conn, reply)
        except OSError:
            pass  # the client gave up waiting; nothing to tell


def _remove_stale_socket(path: str) -> None:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise FileExistsError(f"{path} exists and is not a socket")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
        except (ConnectionRefusedError, FileNotFoundError):
            os.unlink(path)  # nobody listens: left behind by a reader that crashed
            return
    raise FileExistsError(f"another virtual reader is listening on {path}")
