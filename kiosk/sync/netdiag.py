"""Why an HTTP call to the central server failed, in words site IT can act on.

``requests`` buries the real cause (a DNS failure, a refused connection, a TLS
alert) several exceptions deep, and ``kiosk.sync.client`` keeps only its type name.
``diagnose_request_error`` walks the whole chain and returns a ``NetProblem``:
a stable ``code`` (for callers and tests), a ``message`` naming the address, and
a ``fix``.  ``diagnose_response`` does the same for an answer that is HTTP but
not from a kiosk server.  No secrets pass through here: only the URL is named.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

DNS_FAILURE = "dns_failure"
CONNECTION_REFUSED = "connection_refused"
TIMEOUT = "timeout"
TLS_ERROR = "tls_error"
WRONG_SCHEME = "wrong_scheme"
NETWORK_UNREACHABLE = "network_unreachable"
UNREACHABLE = "unreachable"
NOT_A_KIOSK_SERVER = "not_a_kiosk_server"
SERVER_ERROR = "server_error"
BAD_URL = "bad_server_url"


@dataclass(frozen=True)
class NetProblem:
    code: str
    message: str
    fix: str


def host_port(url: str) -> tuple[str, int]:
    """Host and port an URL connects to (the scheme's default port when none is given)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname or "", port or (443 if parts.scheme == "https" else 80)


def check_url(url: str) -> NetProblem | None:
    """A problem when ``url`` cannot be a server address at all, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return NetProblem(BAD_URL, f"{url!r} is not a server address",
                          "give the address as http://HOST:PORT or https://HOST, "
                          "for example https://kiosk.example.com")
    try:
        parts.port  # noqa: B018 - property raises on a non-numeric port
    except ValueError:
        return NetProblem(BAD_URL, f"{url!r} has an invalid port number",
                          "give the port as a number, for example http://10.0.0.5:8000")
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception reachable from it: causes, contexts, ``reason``, args."""
    seen: set[int] = set()
    stack: list[object] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]


def diagnose_request_error(exc: BaseException, url: str) -> NetProblem:
    """Classify a failed request to ``url`` (a ``requests`` exception or one wrapping it)."""
    host, port = host_port(url)
    where = f"{host}:{port}"
    chain = list(_chain(exc))
    text = " ".join(str(e) for e in chain).lower()

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(e, types) for e in chain)

    if has(socket.gaierror):
        return NetProblem(DNS_FAILURE, f"cannot resolve the server name {host!r} ({url})",
                          "check the spelling of the address and the DNS settings "
                          "(resolvectl status, /etc/resolv.conf), or use the server's IP address")
    if has(requests.exceptions.SSLError, ssl.SSLError):
        if "wrong_version_number" in text or "wrong version number" in text \
                or "record layer failure" in text:
            return NetProblem(WRONG_SCHEME, f"{where} does not speak TLS (https) ({url})",
                              f"use http:// instead of https://, or the server's TLS port: "
                              f"{url.replace('https://', 'http://', 1)}")
        if "certificate" in text:
            return NetProblem(TLS_ERROR, f"the server certificate of {host} is not trusted ({url})",
                              "check the terminal's date (timedatectl: a wrong clock makes valid "
                              "certificates look expired), that the server sends its full "
                              "certificate chain, and that ca-certificates is installed")
        return NetProblem(TLS_ERROR, f"TLS handshake with {where} failed ({url})",
                          "check that the address and port are those of the kiosk server's "
                          "https endpoint, and any proxy between the terminal and the server")
    if has(ConnectionRefusedError):
        return NetProblem(CONNECTION_REFUSED, f"connection refused by {where} ({url})",
                          "nothing listens on that port: check the port number and that the "
                          "server is running (systemctl status kiosk-server on the server)")
    if has(requests.exceptions.ConnectTimeout):
        return NetProblem(TIMEOUT, f"no answer from {where} while connecting ({url})",
                          "a firewall drops the traffic or the address is wrong: "
                          f"check with: curl -v {url.rstrip('/')}/v1/info")
    if has(requests.exceptions.ReadTimeout, socket.timeout, TimeoutError):
        return NetProblem(TIMEOUT, f"{where} accepted the connection but did not answer ({url})",
                          "the server is overloaded or a proxy holds the request: "
                          "check the server's logs and load")
    if has(http.client.RemoteDisconnected, http.client.BadStatusLine) \
            or "connection aborted" in text:
        scheme_fix = ("if the server uses TLS, write https:// instead of http://"
                      if url.startswith("http://") else "check the address and port")
        return NetProblem(WRONG_SCHEME, f"{where} closed the connection without an HTTP "
                          f"answer ({url})", scheme_fix)
    if any(getattr(e, "errno", None) in (errno.ENETUNREACH, errno.EHOSTUNREACH) for e in chain):
        return NetProblem(NETWORK_UNREACHABLE, f"no route to {where} ({url})",
                          "check the network cable or Wi-Fi, the address and the default "
                          "gateway (ip route)")
    return NetProblem(UNREACHABLE, f"cannot reach {url} ({type(exc).__name__})",
                      "check the address, the network and that the server is running")


def diagnose_response(response: requests.Response, url: str) -> NetProblem | None:
    """A problem when ``GET /v1/info`` answered but not as a kiosk server does, else None."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code == 200 and isinstance(data, dict) \
            and isinstance(data.get("supported_versions"), list):
        return None
    if response.status_code >= 500 or response.status_code == 429:
        return NetProblem(SERVER_ERROR, f"{url} answers HTTP {response.status_code}: the server "
                          "(or a proxy in front of it) is failing or overloaded",
                          "try again in a minute; if it persists, check the server's logs")
    return NetProblem(NOT_A_KIOSK_SERVER,
                      f"{url} answers HTTP {response.status_code} but is not a kiosk server",
                      "check the address: it must be the kiosk server's base URL, without a "
                      "path such as /v1 or /admin, and not a proxy or captive portal page")
