"""HTTP client of the central server's protocol (version 1), one keep-alive session.

It only speaks HTTP and turns answers into values or typed errors
(``kiosk.sync.errors``); retry policy lives in the sync worker.  What it trusts is in
``kiosk.sync.protocol``: an error is final only when our server sent it; an answer of
another shape (a proxy's page, a captive portal's, a body cut short) is
``ForeignAnswer``, which the worker treats as "try later".
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from contract import error_codes as codes
from kiosk.sync.errors import (
    AttachmentInvalid,
    ForeignAnswer,
    IncompatibleServer,
    NotEnrolled,
    RequestRefused,
    ServerUnavailable,
    SyncError,
    TerminalRevoked,
)
from kiosk.sync.protocol import (
    LATER_CODES,
    NOT_ENROLLED_CODES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    describe_foreign,
    header,
    retry_after_s,
    server_error,
    stamped,
)

if TYPE_CHECKING:  # cryptography is loaded by the terminals that sign, not by this import
    from kiosk.sync.signing import RequestSigner

__all__ = ["PROTOCOL_HEADER", "PROTOCOL_VERSION", "PullResult", "ServerClient", "error_for"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 15.0
# A download's cap: photos are at most 8 MiB (the server's upload cap); a drawing the
# server rendered may be a little bigger.
MAX_DOWNLOAD_BYTES = 16 * 1024 * 1024
CACHE_KEY_SHAPE = re.compile(r"[0-9a-f]{64}")
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,200}")
# Enough of an error body to read our server's JSON; a proxy's page is not read further.
ERROR_BODY_BYTES = 64 * 1024
_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


@dataclass(frozen=True)
class PullResult:
    cursor: str
    changes: list[Any]  # each one is checked as it is applied (kiosk.sync.apply)
    more: bool
    reset: bool
    server_time: str


def error_for(status: int, headers: Mapping[str, str], body: bytes) -> SyncError:
    """The error a non-2xx answer stands for (pure: the rules of kiosk.sync.protocol).

    Final (``RequestRefused``, revoked, not enrolled, incompatible) only when our server
    said so with a protocol code; 5xx, 429 and our server's codes of the moment mean
    try later; anything else is a ``ForeignAnswer``, also try later.
    """
    wait = retry_after_s(header(headers, "Retry-After"))
    ours = server_error(headers, body)
    if ours is None:
        return ForeignAnswer(describe_foreign(status, headers), wait, status=status)
    code, message, detail = ours
    if code == codes.TERMINAL_REVOKED:
        return TerminalRevoked(message)
    if code in NOT_ENROLLED_CODES:
        return NotEnrolled(message)
    if code == codes.PROTOCOL_VERSION:
        return IncompatibleServer(message)
    if status == 429 or status >= 500 or code in LATER_CODES or status < 400:
        return ServerUnavailable(f"server answered {status} {code}", wait, status=status,
                                 code=code)
    return RequestRefused(code, message, status, detail)


def _foreign_shape(response: requests.Response, what: str) -> ForeignAnswer:
    return ForeignAnswer(f"{what}: {describe_foreign(response.status_code, response.headers)}",
                         status=response.status_code)


def _json_object(response: requests.Response, what: str) -> dict[str, Any]:
    """The answer's JSON object; a body that is not one is a ForeignAnswer."""
    try:
        data = response.json()
    except ValueError as exc:  # HTML from a captive portal, a body cut short
        raise _foreign_shape(response, f"{what} is not JSON") from exc
    if not isinstance(data, dict):
        raise _foreign_shape(response, f"{what} is not a JSON object")
    return data


class ServerClient:
    """``token`` is the bearer token, or a callable giving the current one at each call
    (``kiosk.sync.tokens.TokenKeeper.token``: a rotation reaches every client at once)."""

    def __init__(self, base_url: str, token: str | Callable[[], str] | None = None,
                 signer: RequestSigner | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()  # connection reuse across calls
        self._session.headers[PROTOCOL_HEADER] = str(PROTOCOL_VERSION)
        self._token = (lambda: token) if isinstance(token, str) else token
        # signer: each authenticated request is signed with the terminal's key
        # (contract.request_signing); None: the token alone (tests, old enrollments).
        self._signer = signer
        self._base_path = urlsplit(self.base_url).path

    @property
    def signs(self) -> bool:
        """Whether requests are signed (and a rotation registers the public key)."""
        return self._signer is not None

    def close(self) -> None:
        self._session.close()

    def _send(self, method: str, path: str, read_timeout: float = READ_TIMEOUT_S,
              **kwargs: Any) -> requests.Response:
        if self._token is not None:
            token = self._token()
            kwargs["headers"] = {**kwargs.get("headers", {}),
                                 "Authorization": f"Bearer {token}"}
            if self._signer is not None:
                kwargs["auth"] = partial(self._sign, token)
        try:
            # No redirects: a captive portal's 307 would have the body (message texts,
            # employee ids) sent again to its host. A 3xx is "try later" (error_for).
            response = self._session.request(
                method, self.base_url + path, timeout=(CONNECT_TIMEOUT_S, read_timeout),
                allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            raise ServerUnavailable(f"server unreachable: {type(exc).__name__}") from exc
        if self._signer is not None and stamped(response.headers):
            self._signer.note_server_date(response.headers.get("Date"))
        return response

    def _sign(self, token: str, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Called by requests once the request is prepared: the exact path and body sent.
        The path is signed as the server's routes see it, without the base URL's own."""
        assert self._signer is not None
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        path = request.path_url
        if self._base_path and path.startswith(self._base_path):
            path = path[len(self._base_path):]
        request.headers.update(self._signer.headers(str(request.method), path, body, token))
        return request

    def _call(self, method: str, path: str, read_timeout: float = READ_TIMEOUT_S,
              **kwargs: Any) -> requests.Response:
        """The 2xx answer to a request; anything else raised as ``error_for`` says."""
        response = self._send(method, path, read_timeout, **kwargs)
        if 200 <= response.status_code < 300:
            return response
        try:
            body = b"" if method == "HEAD" else _head_of_body(response)
        finally:
            response.close()
        raise error_for(response.status_code, response.headers, body)

    def enroll(self, code: str, terminal_name: str,
               public_key: str | None = None) -> dict[str, Any]:
        body = {"code": code, "terminal_name": terminal_name}
        if public_key is not None:  # hex of the Ed25519 public key the terminal signs with
            body["public_key"] = public_key
        response = self._call("POST", "/v1/enroll", json=body)
        return _json_object(response, "the enrollment answer")

    def rotate_token(self) -> str:
        """A fresh token for this terminal (POST /v1/token); the one this call was made
        with keeps working for the server's grace period. With a signer, its public key
        goes along: a terminal enrolled before keys existed registers it so."""
        body = {"public_key": self._signer.public_key} if self._signer is not None else {}
        response = self._call("POST", "/v1/token", json=body)
        token = _json_object(response, "the token answer").get("token")
        # It replaces the only token that works: only our server's, and only one of the
        # shape it makes (secrets.token_urlsafe), is saved.
        if not stamped(response.headers) or not isinstance(token, str) \
                or not TOKEN_SHAPE.fullmatch(token):
            raise _foreign_shape(response, "the token answer has no token of ours")
        return token

    def cache_key(self) -> bytes:
        """This terminal's message-cache key (POST /v1/cache-key): 32 bytes, for RAM only."""
        return self.cache_key_answer()[0]

    def cache_key_answer(self) -> tuple[bytes, bytes | None]:
        """The cache key, and the server's sealing public key given with it (None from a
        server that has none, or a value that is not a key)."""
        response = self._call("POST", "/v1/cache-key")
        answer = _json_object(response, "the cache key answer")
        key = answer.get("key")
        if not stamped(response.headers) or not isinstance(key, str) \
                or not CACHE_KEY_SHAPE.fullmatch(key):
            raise _foreign_shape(response, "the cache key answer has no key of ours")
        seal = answer.get("seal_public_key")
        from contract.sealing import decode_key  # cryptography: loaded by the signer too

        try:
            seal_key = decode_key(seal) if isinstance(seal, str) else None
        except ValueError:
            seal_key = None
        return bytes.fromhex(key), seal_key

    def report_state(self, report: dict[str, Any]) -> float:
        """Send this terminal's state report (POST /v1/status); returns how many seconds
        the server asks to wait before the next one."""
        response = self._call("POST", "/v1/status", json=report)
        every = _json_object(response, "the status answer").get("next_report_s")
        if not stamped(response.headers) or type(every) is not int:
            raise _foreign_shape(response, "the status answer has no next_report_s")
        return float(every)

    def info(self) -> dict[str, Any]:
        return _json_object(self._call("GET", "/v1/info"), "the info answer")

    def push(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send a batch; returns the server's results (one per item, in order; the
        worker judges each, see ``kiosk.sync.verdicts``). A body of another shape is a
        ``ForeignAnswer``."""
        response = self._call("POST", "/v1/push", json={"items": items})
        results = _json_object(response, "the push answer").get("results")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise _foreign_shape(response, "the push answer has no list of results")
        return results

    def pull(self, cursor: str | None, wait_s: float = 0) -> PullResult:
        """Changes after ``cursor``; with ``wait_s`` the server holds the call until one comes."""
        params: dict[str, Any] = {"wait": int(wait_s)}
        if cursor:
            params["cursor"] = cursor
        response = self._call("GET", "/v1/pull", read_timeout=wait_s + READ_TIMEOUT_S,
                              params=params)
        data = _json_object(response, "the pull answer")
        cursor, changes, server_time = data.get("cursor"), data.get("changes"), \
            data.get("server_time")
        if not (isinstance(cursor, str) and isinstance(changes, list)
                and isinstance(server_time, str) and _is_time(server_time)):
            raise _foreign_shape(response, "the pull answer lacks cursor, changes or time")
        return PullResult(
            cursor=cursor, changes=changes, more=data.get("more") is True,
            reset=data.get("reset") is True, server_time=server_time,
        )

    def has_attachment(self, sha256: str) -> bool:
        """Whether the server holds these bytes (a HEAD: no body, so our server is
        known by its header alone)."""
        response = self._send("HEAD", f"/v1/attachments/{sha256}")
        response.close()
        if stamped(response.headers) and response.status_code in (200, 404):
            return response.status_code == 200
        if 200 <= response.status_code < 300:
            raise _foreign_shape(response, "the attachment check")
        raise error_for(response.status_code, response.headers, b"")

    def get_attachment(self, sha256: str,
                       max_bytes: int = MAX_DOWNLOAD_BYTES) -> tuple[bytes, str]:
        """The bytes stored under ``sha256`` and their content type, checked: they must
        hash to ``sha256``, be at most ``max_bytes`` and be a JPEG or a PNG.

        Raises ``RequestRefused`` (404 ``not_found``...), ``ServerUnavailable``, or
        ``AttachmentInvalid`` when the server sent something else than what was asked.
        """
        response = self._call("GET", f"/v1/attachments/{sha256}", stream=True)
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise AttachmentInvalid(f"{declared} bytes is over the {max_bytes} cap")
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise AttachmentInvalid(f"over the {max_bytes} bytes cap")
                    chunks.append(chunk)
            except requests.RequestException as exc:
                raise ServerUnavailable(f"download cut: {type(exc).__name__}") from exc
        finally:
            response.close()
        data = b"".join(chunks)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise AttachmentInvalid("the bytes do not hash to the sha256 asked for")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not data.startswith(_MAGIC.get(content_type, b"?")):
            raise AttachmentInvalid(f"the bytes are not a JPEG or PNG ({content_type!r})")
        return data, content_type

    def put_attachment(self, sha256: str, data: bytes, content_type: str,
                       sealed: bool = False) -> None:
        """Upload the bytes (``sealed``: a box of them, ``contract.sealing``, which the
        server opens); returns once our server says it holds them. A 2xx that
        does not name them (a captive portal's page) is a ``ForeignAnswer``: marking
        them uploaded then would get their message rejected for an unknown attachment."""
        headers = {"Content-Type": content_type}
        if sealed:
            headers["X-Kiosk-Sealed"] = "1"
        response = self._call("PUT", f"/v1/attachments/{sha256}", data=data, headers=headers)
        if _json_object(response, "the upload answer").get("sha256") != sha256:
            raise _foreign_shape(response, "the upload answer names other bytes")


def _head_of_body(response: requests.Response) -> bytes:
    """The first ERROR_BODY_BYTES of an error answer (streamed or not); b"" when the
    connection breaks while reading it (the answer is then not our server's whole word)."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(16 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size >= ERROR_BODY_BYTES:
                break
    except (requests.RequestException, OSError):
        return b""
    return b"".join(chunks)[:ERROR_BODY_BYTES]


def _is_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
