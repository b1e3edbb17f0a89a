"""A small fault-injecting TCP proxy on loopback, for sync fault tests.

It forwards connections to a target server; ``mode`` says what goes wrong:

Transport faults (bytes piped both ways, keep-alive kept):

- ``refuse``: the connection is closed at once;
- ``cut_answer``: the request reaches the server, the answer never reaches the client
  (the case that makes naive retries duplicate);
- ``slow``: answers are delayed by ``slow_s``;
- ``error500``: a bare 500 instead of the server.

HTTP faults (one request per connection, ``Connection: close``, so that the proxy
needs no keep-alive parser): ``pass`` forwards as is; answers in place of the server,
as nginx, a web application firewall or a captive portal would (``text/html``, no
protocol header): ``html404``, ``html408``, ``html403``, ``html413``, ``too_many``
(429 with ``retry_after`` as its Retry-After: seconds or an HTTP-date), ``portal`` (a
200 login page); the server's answer rewritten: ``truncated`` (its body cut in half,
Content-Length to match), ``unknown_status`` (every push result gets a status no
terminal knows), ``defer`` (every push result after the first becomes ``deferred``,
``rate_limited`` with ``retry_after`` seconds; the server did store them: the retry
gets duplicates), ``poison_pull`` (``poison`` inserted after the first change of each
pull answer that has changes).

``only`` limits the fault to requests whose ``"METHOD /path"`` starts with it (the rest
pass). ``faults`` counts requests answered in place or rewritten; ``seen`` lists every
request of the HTTP modes (time, method, path, body), for tests that check what the
terminal sent and when.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

TRANSPORT_MODES = frozenset({"refuse", "cut_answer", "slow", "error500"})
PAGES = {  # mode -> (status, reason), nginx's wording
    "html404": (404, "Not Found"),
    "html408": (408, "Request Time-out"),
    "html403": (403, "Forbidden"),
    "html413": (413, "Request Entity Too Large"),
    "too_many": (429, "Too Many Requests"),
    "portal": (200, "OK"),
}
REWRITES = frozenset({"truncated", "unknown_status", "defer", "poison_pull"})
UNKNOWN_STATUS = "parked"
# A message change the terminal cannot apply (its creation time is not a date), with a
# body that must never reach a log.
POISON_CHANGE: dict[str, Any] = {
    "type": "message", "id": "0b7e4a52-6a4b-4f0e-9c1e-5e0c2a9d7f10",
    "thread_id": "0b7e4a52-6a4b-4f0e-9c1e-5e0c2a9d7f10", "reply_to": None, "sender_id": 1,
    "kind": "text", "body": "POISON-BODY-NEVER-LOGGED", "attachment": None, "drawing": None,
    "to_employees": [1], "to_groups": [], "recipients": [1], "ack_required": False,
    "expires_at": None, "written_at": None, "created_at": "the day before yesterday",
    "status": "approved", "rejection_reason": None,
}


@dataclass(frozen=True)
class Seen:
    at: float  # time.monotonic()
    method: str
    path: str
    body: bytes


@dataclass
class FaultProxy:
    target_port: int
    mode: str = "pass"
    slow_s: float = 2.0
    retry_after: str = "1"
    only: str = ""
    poison: dict[str, Any] = field(default_factory=lambda: dict(POISON_CHANGE))
    cuts: int = 0
    faults: int = 0
    seen: list[Seen] = field(default_factory=list)
    _listener: socket.socket = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

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

    def requests_to(self, method: str, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.method == method and s.path.startswith(path)]

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        mode = self.mode
        if mode not in TRANSPORT_MODES:
            self._http(client)
            return
        if mode == "refuse":
            client.close()
            return
        if mode == "error500":
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
            _close(src, dst)

    # HTTP modes: one request, one answer, then close ---------------------------------

    def _http(self, client: socket.socket) -> None:
        upstream = None
        try:
            request = _read_message(client, request=True)
            if request is None:
                return
            head, body = request
            method, path = head[0].split(" ")[:2]
            with self._lock:
                self.seen.append(Seen(time.monotonic(), method, path, body))
            mode = self.mode if f"{method} {path}".startswith(self.only) else "pass"
            if method == "HEAD" and mode in REWRITES:
                mode = "pass"  # no body to rewrite
            if mode in PAGES:
                self._count()
                client.sendall(self._page(mode))
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=60)
            upstream.sendall(_serialize(_with_close(head), body))
            if mode not in REWRITES:  # stream it: a long-poll answers when it answers
                self._relay(upstream, client)
                return
            answer = _read_message(upstream, request=False)
            if answer is None:
                return
            rewritten = self._rewrite(mode, method, path, *answer)
            if rewritten is not None:
                self._count()
                answer = rewritten
            client.sendall(_serialize(_with_close(answer[0]), answer[1]))
        except OSError:
            pass
        finally:
            _close(client, *(s for s in (upstream,) if s is not None))

    def _count(self) -> None:
        with self._lock:
            self.faults += 1

    def _relay(self, upstream: socket.socket, client: socket.socket) -> None:
        while data := upstream.recv(65536):
            client.sendall(data)

    def _page(self, mode: str) -> bytes:
        status, reason = PAGES[mode]
        if mode == "portal":
            text = ("<html><head><title>Guest Wi-Fi</title></head><body><form method=post "
                    "action=/login>Accept the terms to continue<button>OK</button></form>"
                    "</body></html>\r\n")
        else:
            text = (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
                    f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>"
                    "\r\n</body>\r\n</html>\r\n")
        head = [f"HTTP/1.1 {status} {reason}", "Server: nginx", "Content-Type: text/html"]
        if mode == "too_many":
            head.append(f"Retry-After: {self.retry_after}")
        return _serialize(_with_close(head), text.encode())

    def _rewrite(self, mode: str, method: str, path: str, head: list[str],
                 body: bytes) -> tuple[list[str], bytes] | None:
        """The server's answer as the mode rewrites it; None: this one is left as is."""
        if mode == "truncated":
            return (head, body[: len(body) // 2]) if body else None
        if head[0].split(" ")[1] != "200":
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if mode == "unknown_status" and method == "POST" and path.startswith("/v1/push"):
            data["results"] = [{**r, "status": UNKNOWN_STATUS} for r in data["results"]]
        elif mode == "defer" and method == "POST" and path.startswith("/v1/push"):
            error = {"code": "rate_limited", "message": "too many items at once",
                     "retry_after_s": float(self.retry_after)}
            data["results"] = data["results"][:1] + [
                {"id": r["id"], "status": "deferred", "error": error}
                for r in data["results"][1:]]
        elif mode == "poison_pull" and path.startswith("/v1/pull") and data.get("changes"):
            data["changes"].insert(1, self.poison)
        else:
            return None
        return head, json.dumps(data).encode()


def _close(*sockets: socket.socket) -> None:
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def _read_message(sock: socket.socket, request: bool) -> tuple[list[str], bytes] | None:
    """One HTTP message: its head lines and its body (Content-Length, chunked, or, for
    an answer, up to the end of the connection). None when the peer sent nothing."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            return None
        buffer += data
    raw_head, rest = buffer.split(b"\r\n\r\n", 1)
    head = raw_head.decode("latin-1").split("\r\n")
    headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
               for line in head[1:] if ":" in line}
    if not request and head[0].split(" ")[1] in ("204", "304"):
        return _without(head, "content-length", "transfer-encoding"), b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(sock, rest)
    elif "content-length" in headers:
        body = _exactly(sock, rest, int(headers["content-length"]))
    elif request:
        body = b""
    else:  # an answer without a length: it ends with the connection
        while data := sock.recv(65536):
            rest += data
        body = rest
    return _without(head, "content-length", "transfer-encoding"), body


def _fill(sock: socket.socket, buffer: bytes, size: int) -> bytes:
    """``buffer`` and what follows it, until it holds at least ``size`` bytes."""
    while len(buffer) < size:
        data = sock.recv(65536)
        if not data:
            break
        buffer += data
    return buffer


def _exactly(sock: socket.socket, buffer: bytes, size: int) -> bytes:
    return _fill(sock, buffer, size)[:size]


def _dechunk(sock: socket.socket, buffer: bytes) -> bytes:
    body = b""
    while True:
        while b"\r\n" not in buffer:
            buffer += sock.recv(65536) or b"0\r\n\r\n"
        size_line, buffer = buffer.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return body
        buffer = _fill(sock, buffer, size + 2)
        body, buffer = body + buffer[:size], buffer[size + 2:]


def _without(head: list[str], *names: str) -> list[str]:
    return [head[0], *(line for line in head[1:]
                       if line.split(":", 1)[0].strip().lower() not in names)]


def _with_close(head: list[str]) -> list[str]:
    return [*_without(head, "connection", "keep-alive"), "Connection: close"]


def _serialize(head: list[str], body: bytes) -> bytes:
    method_or_version = head[0].split(" ")[0]
    is_request = not method_or_version.startswith("HTTP/")
    lines = list(head)
    if body or not is_request:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
