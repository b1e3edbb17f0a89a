"""A small fault-injecting TCP proxy on loopback, for sync fault tests.

It forwards connections to a target server and, depending on ``mode``, refuses
them, delays answers, or cuts the connection after the request reached the
server but before the answer reached the client (the case that makes naive
retries duplicate).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class FaultProxy:
    target_port: int
    mode: str = "pass"  # pass | refuse | cut_answer | slow | error500
    slow_s: float = 2.0
    cuts: int = 0
    _listener: socket.socket = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        if self.mode == "refuse":
            client.close()
            return
        if self.mode == "error500":
            try:
                client.recv(65536)
                client.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                               b"Connection: close\r\n\r\n")
            finally:
                client.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
        self._pipe(upstream, client, True)

    def _pipe(self, src: socket.socket, dst: socket.socket, answers: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if answers and self.mode == "cut_answer":
                    self.cuts += 1
                    break  # the server did the work; the client never hears of it
                if answers and self.mode == "slow":
                    time.sleep(self.slow_s)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
