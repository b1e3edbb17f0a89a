"""PUT/HEAD/GET /v1/attachments/{sha256}: photos and rendered drawings.

A terminal reads only what it uploaded or what a message seen at its site names;
anything else is the same 404 as bytes the server does not hold, so HEAD cannot
tell whether the server has a given photo.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy.engine import Connection

from contract import error_codes as errors
from contract.sealing import SealError
from server.auth import DB, AuthedTerminal, Terminal
from server.db import Database
from server.errors import ApiError
from server.protocol.attachments import AttachmentInfo
from server.protocol.common import ATTACHMENT_CONTENT_TYPES, SHA256_PATTERN, ErrorBody
from server.repo import attachments
from server.services.images import check_picture_async
from server.services.sealed import open_upload

router = APIRouter(tags=["attachments"])
Sha = Annotated[str, Path(pattern=SHA256_PATTERN, description="lowercase hex sha256")]
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
BINARY_BODY = {"requestBody": {"required": True, "content": {
    ctype: {"schema": {"type": "string", "format": "binary"}}
    for ctype in ATTACHMENT_CONTENT_TYPES}}}
# "1": the body is a sealed box (contract.sealing) of the picture, bound to its sha256.
SEALED_HEADER = "X-Kiosk-Sealed"
QUOTA_RETRY_S = 60  # the quota frees as the terminal's messages naming its uploads arrive


def _not_found(sha256: str) -> ApiError:
    return ApiError(errors.NOT_FOUND, "no attachment with this sha256", sha256=sha256)


def _check_quota(conn: Connection, terminal_id: int, size: int, settings: Any) -> None:
    count, used = attachments.unreferenced_uploads(conn, terminal_id)
    if (count + 1 > settings.max_unreferenced_uploads
            or used + size > settings.max_unreferenced_upload_bytes):
        raise ApiError(errors.UPLOAD_QUOTA_EXCEEDED,
                       f"this terminal has {count} uploads ({used} bytes) that no message "
                       "names yet; send the messages first", retry_after_s=QUOTA_RETRY_S)


def _precheck_quota(db: Database, terminal: Terminal, sha256: str, size: int,
                    settings: Any) -> None:
    with db.read() as conn:
        if not attachments.uploaded_by(conn, sha256, terminal.id):
            _check_quota(conn, terminal.id, size, settings)


class UploadsInFlight:
    """At most ``PER_TERMINAL`` uploads of one terminal at once (its sync worker sends
    one at a time): more are refused at once with 429, before any decoding."""

    PER_TERMINAL = 2

    def __init__(self) -> None:
        self._counts: dict[int, int] = {}

    @contextlib.contextmanager
    def enter(self, terminal_id: int) -> Iterator[None]:
        if self._counts.get(terminal_id, 0) >= self.PER_TERMINAL:  # event loop only
            raise ApiError(errors.RATE_LIMITED, "this terminal is already uploading; "
                           "send one picture at a time", retry_after_s=5)
        self._counts[terminal_id] = self._counts.get(terminal_id, 0) + 1
        try:
            yield
        finally:
            self._counts[terminal_id] -= 1
            if not self._counts[terminal_id]:
                del self._counts[terminal_id]


def _store(db: Database, terminal: Terminal, sha256: str, content_type: str, content: bytes,
           settings: Any) -> bool:
    with db.write() as conn:
        if attachments.uploaded_by(conn, sha256, terminal.id):
            # Its file is there (a no-op), unless lost or set aside as damaged: back now.
            attachments.store_of(conn).put(sha256, content)
            return False
        _check_quota(conn, terminal.id, len(content), settings)
        attachments.put(conn, sha256, content_type, content, terminal.id)
        attachments.record_upload(conn, sha256, terminal.id)
        # "Created" for this terminal: whether another terminal had sent the same bytes
        # is none of its business (it would tell that the server holds a given photo).
        return True


@router.put("/attachments/{sha256}", response_model=AttachmentInfo, openapi_extra=BINARY_BODY,
            responses={201: {"model": AttachmentInfo}, 413: {"model": ErrorBody},
                       415: {"model": ErrorBody}, 422: {"model": ErrorBody},
                       429: {"model": ErrorBody}})
async def put_attachment(sha256: Sha, request: Request, terminal: AuthedTerminal, db: DB,
                         response: Response) -> AttachmentInfo:
    """Upload bytes under their sha256. Idempotent: 201 the first time this terminal
    sends them, then 200.

    The picture is decoded (format, size, pixel data); a terminal may hold a limited
    number of uploads that no message names yet (429 ``upload_quota_exceeded``)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ATTACHMENT_CONTENT_TYPES:
        raise ApiError(errors.UNSUPPORTED_MEDIA_TYPE,
                       f"Content-Type must be one of {', '.join(ATTACHMENT_CONTENT_TYPES)}",
                       supported=list(ATTACHMENT_CONTENT_TYPES))
    content = await request.body()
    if request.headers.get(SEALED_HEADER) == "1":  # sealed on the terminal at enqueue time
        content = await asyncio.to_thread(_unseal, request, sha256, content)
    limit = request.app.state.settings.max_attachment_bytes
    if len(content) > limit:  # the body limit lets a sealed box's overhead through
        raise ApiError(errors.PAYLOAD_TOO_LARGE, f"request body larger than {limit} bytes",
                       limit=limit)
    computed = hashlib.sha256(content).hexdigest()
    if computed != sha256:
        raise ApiError(errors.SHA256_MISMATCH, "the bytes do not hash to the sha256 in the path",
                       computed=computed)
    if not content.startswith(MAGIC[content_type]):
        raise ApiError(errors.CONTENT_MISMATCH, f"the bytes are not {content_type}")
    settings = request.app.state.settings
    with request.app.state.uploads_in_flight.enter(terminal.id):
        # The quota first: decoding costs CPU, a terminal over its quota spends none.
        await asyncio.to_thread(_precheck_quota, db, terminal, sha256, len(content), settings)
        await check_picture_async(content, content_type)
        created = await asyncio.to_thread(_store, db, terminal, sha256, content_type, content,
                                          settings)
    response.status_code = 201 if created else 200
    return AttachmentInfo(sha256=sha256, content_type=content_type, size=len(content),
                          created=created)


def _unseal(request: Request, sha256: str, box: bytes) -> bytes:
    try:
        content = open_upload(request.app.state.seal_keys.private, sha256, box)
    except SealError:
        raise ApiError(errors.CONTENT_MISMATCH, "the sealed bytes do not open with the "
                       "server's key") from None
    return content


@router.head("/attachments/{sha256}", responses={404: {"model": ErrorBody}})
def head_attachment(sha256: Sha, terminal: AuthedTerminal, db: DB) -> Response:
    """Does this terminal have these bytes on the server? (200 with size and type, or 404)"""
    with db.read() as conn:  # visibility first: an invisible photo costs what a missing one does
        if not attachments.visible_to(conn, sha256, terminal.id, terminal.site_id):
            raise _not_found(sha256)
        row = attachments.info(conn, sha256)
    if row is None:
        raise _not_found(sha256)
    return Response(headers={"Content-Type": row.content_type,
                             "Content-Length": str(row.size)})


@router.get("/attachments/{sha256}", response_class=Response, responses={
    200: {"content": {t: {} for t in ATTACHMENT_CONTENT_TYPES}}, 404: {"model": ErrorBody}})
def get_attachment(sha256: Sha, terminal: AuthedTerminal, db: DB) -> Response:
    """The bytes (immutable: cache them forever)."""
    with db.read() as conn:
        if not attachments.visible_to(conn, sha256, terminal.id, terminal.site_id):
            raise _not_found(sha256)
        row = attachments.data(conn, sha256)
    if row is None:
        raise _not_found(sha256)
    return Response(content=row.data, media_type=row.content_type, headers={
        "Cache-Control": "private, max-age=31536000, immutable", "ETag": f'"{sha256}"'})
