"""Attachments: a terminal reads only what it uploaded or what its site was sent; an
upload must decode as the picture it claims to be; unreferenced uploads are capped."""

from __future__ import annotations

import hashlib
import struct
import zlib

import pytest
from server_testkit import Terminal, World, item, of_type

from server.config import ServerSettings
from tests.support.pictures import jpeg_bytes, png_bytes

PHOTO = jpeg_bytes(40, 30, (10, 200, 90))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put(terminal: Terminal, data: bytes, content_type: str = "image/jpeg"):
    return terminal.put(f"/v1/attachments/{_sha(data)}", content=data,
                        headers={"Content-Type": content_type})


def _photo_message(sender: int, to: int, data: bytes = PHOTO) -> dict:
    return item("message", {"sender_id": sender, "to_employees": [to], "kind": "photo",
                            "attachment_sha256": _sha(data)})


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_claiming(width: int, height: int) -> bytes:
    """A well-formed PNG header that claims this size, with a few bytes of pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))


# -- who may read -----------------------------------------------------------------------

def test_a_terminal_reads_back_what_it_uploaded(terminal: Terminal) -> None:
    assert _put(terminal, PHOTO).status_code == 201
    assert terminal.get(f"/v1/attachments/{_sha(PHOTO)}").content == PHOTO


def test_a_photo_sent_to_a_site_can_be_read_by_that_sites_terminals(
        terminal: Terminal, plant_b: Terminal, world: World) -> None:
    _put(plant_b, PHOTO)
    [sent] = plant_b.push(_photo_message(world.carol, world.alice))
    assert sent["status"] == "accepted"
    assert terminal.head(f"/v1/attachments/{_sha(PHOTO)}").status_code == 200
    assert terminal.get(f"/v1/attachments/{_sha(PHOTO)}").content == PHOTO


def test_another_sites_photo_answers_exactly_like_one_the_server_does_not_hold(
        terminal: Terminal, plant_b: Terminal) -> None:
    _put(terminal, PHOTO)
    absent = _sha(b"never uploaded")
    for method in ("HEAD", "GET"):
        held = plant_b.request(method, f"/v1/attachments/{_sha(PHOTO)}")
        missing = plant_b.request(method, f"/v1/attachments/{absent}")
        assert held.status_code == missing.status_code == 404
        if method == "GET":
            assert held.json()["error"]["code"] == missing.json()["error"]["code"]


def test_a_photo_of_a_message_announced_elsewhere_stays_hidden(
        terminal: Terminal, enroll, world: World) -> None:
    _put(terminal, PHOTO)
    [sent] = terminal.push(_photo_message(world.alice, world.bob))
    assert sent["status"] == "accepted"
    plant_b = enroll(world.other_site, "plant B")
    assert plant_b.get(f"/v1/attachments/{_sha(PHOTO)}").status_code == 404


def test_a_second_terminal_uploading_the_same_bytes_is_answered_as_for_new_bytes(
        terminal: Terminal, plant_b: Terminal) -> None:
    _put(terminal, PHOTO)
    again = _put(plant_b, PHOTO)
    assert (again.status_code, again.json()["created"]) == (201, True)
    assert plant_b.get(f"/v1/attachments/{_sha(PHOTO)}").status_code == 200


def test_a_message_cannot_name_a_photo_its_terminal_may_not_read(
        terminal: Terminal, plant_b: Terminal, world: World) -> None:
    _put(terminal, PHOTO)
    [result] = plant_b.push(_photo_message(world.carol, world.alice))
    assert result["error"]["code"] == "unknown_attachment"
    assert plant_b.get(f"/v1/attachments/{_sha(PHOTO)}").status_code == 404


def test_naming_a_photo_the_server_holds_answers_as_naming_one_it_does_not(
        terminal: Terminal, plant_b: Terminal, world: World) -> None:
    _put(terminal, PHOTO)
    held = plant_b.push(_photo_message(world.carol, world.alice))[0]["error"]
    absent = plant_b.push(_photo_message(world.carol, world.alice, b"never sent"))[0]["error"]
    assert held["code"] == absent["code"] == "unknown_attachment"


def test_a_jpeg_of_thousands_of_scans_is_refused_before_decoding(terminal: Terminal) -> None:
    base = jpeg_bytes(16, 16)
    many_scans = base[:-2] + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" * 500 + b"\xff\xd9"
    response = _put(terminal, many_scans)
    assert response.status_code == 422
    assert "scans" in response.json()["error"]["message"]


# -- what may be stored -----------------------------------------------------------------

def test_random_bytes_behind_a_jpeg_magic_number_are_refused(terminal: Terminal) -> None:
    fake = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
    response = _put(terminal, fake)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_image"


def test_a_truncated_jpeg_is_refused(terminal: Terminal) -> None:
    whole = jpeg_bytes(200, 200)
    response = _put(terminal, whole[: len(whole) // 2])
    assert response.json()["error"]["code"] == "invalid_image"


def test_a_png_that_claims_100000_by_100000_pixels_is_refused(terminal: Terminal) -> None:
    response = _put(terminal, _png_claiming(100_000, 100_000), "image/png")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_image"


def test_a_picture_wider_than_the_terminals_show_is_refused(terminal: Terminal) -> None:
    response = _put(terminal, png_bytes(4097, 2), "image/png")
    assert response.json()["error"]["code"] == "invalid_image"


def test_a_png_sent_as_a_jpeg_is_refused(terminal: Terminal) -> None:
    response = _put(terminal, png_bytes(), "image/jpeg")
    assert response.status_code == 422


# -- the quota of uploads no message names ------------------------------------------------

@pytest.fixture
def server_settings() -> ServerSettings:
    return ServerSettings(max_unreferenced_uploads=2)


def test_uploads_no_message_names_are_capped_per_terminal(
        terminal: Terminal, plant_b: Terminal) -> None:
    pictures = [jpeg_bytes(16, 16, (i * 40, 0, 0)) for i in range(3)]
    assert [_put(terminal, p).status_code for p in pictures[:2]] == [201, 201]
    refused = _put(terminal, pictures[2])
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "upload_quota_exceeded"
    assert int(refused.headers["retry-after"]) > 0
    assert _put(plant_b, pictures[2]).status_code == 201  # another terminal's quota


def test_a_message_naming_an_upload_frees_its_place_in_the_quota(
        terminal: Terminal, world: World) -> None:
    pictures = [jpeg_bytes(16, 16, (0, i * 40, 0)) for i in range(3)]
    for picture in pictures[:2]:
        _put(terminal, picture)
    [sent] = terminal.push(_photo_message(world.alice, world.bob, pictures[0]))
    assert sent["status"] == "accepted"
    assert _put(terminal, pictures[2]).status_code == 201


def test_the_pull_names_the_attachment_a_site_may_read(
        terminal: Terminal, plant_b: Terminal, world: World) -> None:
    _put(plant_b, PHOTO)
    plant_b.push(_photo_message(world.carol, world.alice))
    [message] = of_type(terminal.pull_all()[0], "message")
    assert message["attachment"]["sha256"] == _sha(PHOTO)
