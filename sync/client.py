"""HTTP client of the central server's protocol (version 1), one keep-alive session.

It only speaks HTTP and turns answers into values or typed errors
(``sync.errors``); retry policy lives in the sync worker.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import requests

from sync.errors import (
    AttachmentInvalid,
    IncompatibleServer,
    NotEnrolled,
    RequestRefused,
    ServerUnavailable,
    TerminalRevoked,
)

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-Kiosk-Protocol"
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 15.0
# A download's cap: photos are at most 8 MiB (the server's upload cap); a drawing the
# server rendered may be a little bigger.
MAX_DOWNLOAD_BYTES = 16 * 1024 * 1024
_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


@dataclass(frozen=True)
class PullResult:
    cursor: str
    changes: list[dict[str, Any]]
    more: bool
    reset: bool
    server_time: str


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare enough that our own backoff does


class ServerClient:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()  # connection reuse across calls
        self._session.headers[PROTOCOL_HEADER] = str(PROTOCOL_VERSION)
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self._session.close()

    def _call(self, method: str, path: str, read_timeout: float = READ_TIMEOUT_S,
              **kwargs: Any) -> requests.Response:
        try:
            response = self._session.request(
                method, self.base_url + path, timeout=(CONNECT_TIMEOUT_S, read_timeout), **kwargs
            )
        except requests.RequestException as exc:
            raise ServerUnavailable(f"server unreachable: {type(exc).__name__}") from exc
        if response.status_code < 400:
            return response
        if response.status_code == 429 or response.status_code >= 500:
            raise ServerUnavailable(
                f"server answered {response.status_code}", _retry_after(response)
            )
        try:
            error = response.json()["error"]
            code, message = str(error["code"]), str(error["message"])
        except (ValueError, KeyError, TypeError):
            code, message = "http_error", response.text[:200]
        if code == "terminal_revoked":
            raise TerminalRevoked(message)
        if code in ("invalid_token", "auth_required"):
            raise NotEnrolled(message)
        if code == "protocol_version" or response.status_code == 426:
            raise IncompatibleServer(message)
        raise RequestRefused(code, message, response.status_code)

    def enroll(self, code: str, terminal_name: str) -> dict[str, Any]:
        return self._call(
            "POST", "/v1/enroll", json={"code": code, "terminal_name": terminal_name}
        ).json()

    def info(self) -> dict[str, Any]:
        return self._call("GET", "/v1/info").json()

    def push(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send a batch; returns one result per item, in order."""
        return self._call("POST", "/v1/push", json={"items": items}).json()["results"]

    def pull(self, cursor: str | None, wait_s: float = 0) -> PullResult:
        """Changes after ``cursor``; with ``wait_s`` the server holds the call until one comes."""
        params: dict[str, Any] = {"wait": int(wait_s)}
        if cursor:
            params["cursor"] = cursor
        data = self._call(
            "GET", "/v1/pull", read_timeout=wait_s + READ_TIMEOUT_S, params=params
        ).json()
        return PullResult(
            cursor=data["cursor"], changes=data["changes"], more=bool(data.get("more")),
            reset=bool(data.get("reset")), server_time=data["server_time"],
        )

    def has_attachment(self, sha256: str) -> bool:
        try:
            self._call("HEAD", f"/v1/attachments/{sha256}")
        except RequestRefused as exc:
            if exc.status == 404:
                return False
            raise
        return True

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

    def put_attachment(self, sha256: str, data: bytes, content_type: str) -> None:
        self._call(
            "PUT", f"/v1/attachments/{sha256}", data=data,
            headers={"Content-Type": content_type},
        )
