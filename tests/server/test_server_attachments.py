"""Attachments: content-addressed by sha256, idempotent, verified."""

from __future__ import annotations

import hashlib

from server_testkit import Terminal, World, item, of_type
from sqlalchemy import func, select

from server.db import Database
from server.db.schema import attachments
from tests.support.pictures import jpeg_bytes, png_bytes

PNG = png_bytes()
JPEG = jpeg_bytes()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put(terminal: Terminal, data: bytes, content_type: str = "image/png",
         sha: str | None = None):
    return terminal.put(f"/v1/attachments/{sha or _sha(data)}", content=data,
                        headers={"Content-Type": content_type})


def _stored(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(attachments)).scalar_one()


def test_upload_then_head_and_get_return_the_bytes(terminal: Terminal) -> None:
    response = _put(terminal, PNG)
    assert response.status_code == 201
    assert response.json() == {"sha256": _sha(PNG), "content_type": "image/png",
                               "size": len(PNG), "created": True}
    head = terminal.head(f"/v1/attachments/{_sha(PNG)}")
    assert head.status_code == 200 and head.headers["content-length"] == str(len(PNG))
    got = terminal.get(f"/v1/attachments/{_sha(PNG)}")
    assert got.content == PNG and got.headers["content-type"] == "image/png"


def test_second_upload_of_same_bytes_is_idempotent(terminal: Terminal, db: Database) -> None:
    _put(terminal, JPEG, "image/jpeg")
    again = _put(terminal, JPEG, "image/jpeg")
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert _stored(db) == 1


def test_bytes_not_matching_sha256_are_refused_and_not_stored(
        terminal: Terminal, db: Database) -> None:
    response = _put(terminal, PNG, sha=_sha(b"something else"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "sha256_mismatch"
    assert error["computed"] == _sha(PNG)
    assert _stored(db) == 0


def test_unsupported_content_type_is_refused(terminal: Terminal) -> None:
    response = _put(terminal, b"GIF89a", "image/gif")
    assert response.status_code == 415
    assert response.json()["error"]["supported"] == ["image/jpeg", "image/png"]


def test_bytes_that_are_not_the_declared_image_type_are_refused(terminal: Terminal) -> None:
    response = _put(terminal, b"not really a png", "image/png")
    assert response.json()["error"]["code"] == "content_mismatch"


def test_attachment_over_size_cap_is_refused_with_413(terminal: Terminal, db: Database) -> None:
    big = b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024)
    response = _put(terminal, big, "image/jpeg")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert _stored(db) == 0


def test_missing_attachment_is_404_json(terminal: Terminal) -> None:
    response = terminal.get(f"/v1/attachments/{'0' * 64}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert terminal.head(f"/v1/attachments/{'0' * 64}").status_code == 404


def test_uppercase_or_short_sha_in_path_is_refused(terminal: Terminal) -> None:
    response = _put(terminal, PNG, sha=_sha(PNG).upper())
    assert response.status_code == 422


def test_photo_message_after_upload_links_the_attachment(
        terminal: Terminal, world: World) -> None:
    _put(terminal, JPEG, "image/jpeg")
    [result] = terminal.push(item("message", {
        "sender_id": world.alice, "to_employees": [world.bob], "kind": "photo",
        "body": "broken pallet", "attachment_sha256": _sha(JPEG)}))
    assert result["status"] == "accepted"
    [message] = of_type(terminal.pull_all()[0], "message")
    assert message["attachment"] == {"sha256": _sha(JPEG), "content_type": "image/jpeg",
                                     "size": len(JPEG)}
