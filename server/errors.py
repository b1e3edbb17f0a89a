"""Every error leaves the server as {"error": {"code", "message", ...}}."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract import error_codes as errors
from server.protocol.common import error_body
from server.repo import Refused

log = logging.getLogger("server.errors")

STATUS_BY_CODE = {
    errors.PROTOCOL_VERSION: 400,
    errors.AUTH_REQUIRED: 401,
    errors.INVALID_TOKEN: 401,
    errors.TERMINAL_REVOKED: 403,
    errors.ENROLLMENT_CODE_INVALID: 400,
    errors.ENROLLMENT_CODE_USED: 409,
    errors.ENROLLMENT_CODE_EXPIRED: 410,
    errors.MALFORMED_JSON: 400,
    errors.INVALID_REQUEST: 422,
    errors.PAYLOAD_TOO_LARGE: 413,
    errors.UNSUPPORTED_MEDIA_TYPE: 415,
    errors.SHA256_MISMATCH: 422,
    errors.CONTENT_MISMATCH: 422,
    errors.INVALID_CURSOR: 400,
    errors.NOT_FOUND: 404,
    errors.METHOD_NOT_ALLOWED: 405,
    errors.TOKEN_EXPIRED: 401,
    errors.INVALID_IMAGE: 422,
    errors.UPLOAD_QUOTA_EXCEEDED: 429,
    errors.RATE_LIMITED: 429,
    errors.SIGNATURE_REQUIRED: 401,
    errors.SIGNATURE_INVALID: 401,
    errors.SIGNATURE_STALE: 401,
}
CODE_BY_STATUS = {404: errors.NOT_FOUND, 405: errors.METHOD_NOT_ALLOWED,
                  413: errors.PAYLOAD_TOO_LARGE, 415: errors.UNSUPPORTED_MEDIA_TYPE}


class ApiError(Refused):
    """A refusal raised by the HTTP layer; the status comes from STATUS_BY_CODE."""


def error_response(code: str, message: str, status: int | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra),
                        status_code=status or STATUS_BY_CODE.get(code, 400), headers=headers)


async def _refused(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return refusal_response(exc)


def refusal_response(exc: Refused) -> JSONResponse:
    """The answer to a refusal, with its status and headers."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.code in (
        errors.AUTH_REQUIRED, errors.INVALID_TOKEN, errors.TOKEN_EXPIRED) else None
    if "retry_after_s" in exc.extra:
        headers = {**(headers or {}), "Retry-After": str(int(exc.extra["retry_after_s"]))}
    return error_response(exc.code, exc.message, headers=headers, **exc.extra)


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""),
                "type": e.get("type", "")} for e in exc.errors()]
    if any(d["type"] == "json_invalid" for d in details):
        return error_response(errors.MALFORMED_JSON, "the request body is not valid JSON")
    return error_response(errors.INVALID_REQUEST, "the request does not match the protocol",
                          details=details)


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = CODE_BY_STATUS.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    return error_response(code, message, status=exc.status_code, headers=exc.headers)


class CrashGuard:
    """Outermost middleware: an unexpected exception becomes a JSON 500.

    It logs the exception type and the stack frames but not the exception's text,
    which may quote request data (a message body in a SQL parameter, say).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if scope["type"] != "http":
                raise
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("internal error %s on %s %s\n%s", type(exc).__name__,
                      scope.get("method"), scope.get("path"), frames)
            if not started:
                response = error_response(errors.INTERNAL_ERROR,
                                          "internal server error; nothing was stored", 500)
                await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """JSON error bodies for every refusal; call after adding the other middleware."""
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_middleware(CrashGuard)
