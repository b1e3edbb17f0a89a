"""Cross-site request forgery: every state change carries the session's token (the
X-CSRF-Token header that htmx sends, or the csrf_token field of a plain form) and comes
from this origin (Origin, else Sec-Fetch-Site)."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request

HEADER = "x-csrf-token"
FIELD = "csrf_token"


def same_origin(request: Request) -> bool:
    """The request says it comes from a page of this server. The host is compared, not
    the scheme: behind a proxy terminating TLS the server sees http."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()
    return request.headers.get("sec-fetch-site") == "same-origin"


def token_ok(request: Request, form: FormData | None, expected: str) -> bool:
    given = request.headers.get(HEADER) or (form.get(FIELD) if form is not None else None)
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())
