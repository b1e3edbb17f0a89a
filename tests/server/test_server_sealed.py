"""Sealed items and uploads: what a terminal sealed to the server's public key opens on
the server and is stored as if sent plain; anything else is refused, alone."""

from __future__ import annotations

import hashlib
import json

import httpx
from server_testkit import Terminal, World, item, of_type, text_message

from contract.sealing import (
    attachment_context,
    decode_key,
    encode_box,
    item_context,
    new_key_pair,
    seal,
)
from server.db import Database
from server.db.seal_key import load_seal_keys
from server.embedded import EmbeddedServer
from tests.support.pictures import jpeg_bytes

JPEG = jpeg_bytes()


def _public_key(server: EmbeddedServer) -> bytes:
    return decode_key(httpx.get(f"{server.url}/v1/info").json()["seal_public_key"])


def _sealed(message: dict, key: bytes, context_id: str | None = None) -> dict:
    box = seal(key, json.dumps(message["payload"]).encode(),
               item_context(context_id or message["id"], message["kind"]))
    return {**message, "payload": {"sealed": encode_box(box)}}


def _upload(terminal: Terminal, data: bytes, box: bytes) -> httpx.Response:
    return terminal.put(f"/v1/attachments/{hashlib.sha256(data).hexdigest()}", content=box,
                        headers={"Content-Type": "image/jpeg", "X-Kiosk-Sealed": "1"})


def test_info_publishes_the_key_pair_made_at_migrate(server: EmbeddedServer, db: Database):
    with db.read() as conn:
        keys = load_seal_keys(conn)
    assert _public_key(server) == keys.public


def test_a_sealed_message_is_stored_as_the_plain_one_would_be(
        server: EmbeddedServer, terminal: Terminal, world: World):
    message = text_message(world.alice, (world.bob,), body="Meet at gate 4")
    [result] = terminal.push(_sealed(message, _public_key(server)))
    assert result["status"] == "accepted"
    [stored] = of_type(terminal.pull_all()[0], "message")
    assert (stored["id"], stored["body"], stored["recipients"]) == (
        message["id"], "Meet at gate 4", [world.bob])


def test_a_box_that_does_not_open_is_rejected_alone(
        server: EmbeddedServer, terminal: Terminal, world: World):
    """Sealed to another server's key, or moved under another item's id."""
    _private, other = new_key_pair()
    key = _public_key(server)
    another_key = _sealed(text_message(world.alice, (world.bob,)), other)
    message = text_message(world.alice, (world.bob,))
    moved = _sealed(message, key, context_id="0" * 8 + message["id"][8:])
    good = _sealed(text_message(world.alice, (world.bob,)), key)
    results = terminal.push(another_key, {**moved, "seq": 2}, {**good, "seq": 3})
    assert [r["status"] for r in results] == ["rejected", "rejected", "accepted"]
    assert {r["error"]["code"] for r in results[:2]} == {"invalid_payload"}
    assert "sealed" in results[0]["error"]["message"]


def test_a_sealed_picture_opens_and_is_stored_under_its_sha256(
        server: EmbeddedServer, terminal: Terminal, world: World):
    sha256 = hashlib.sha256(JPEG).hexdigest()
    box = seal(_public_key(server), JPEG, attachment_context(sha256))
    assert _upload(terminal, JPEG, box).status_code == 201
    assert terminal.get(f"/v1/attachments/{sha256}").content == JPEG
    photo = item("message", {"sender_id": world.alice, "to_employees": [world.bob],
                             "kind": "photo", "attachment_sha256": sha256})
    [result] = terminal.push(_sealed(photo, _public_key(server)))
    assert result["status"] == "accepted"


def test_a_sealed_picture_that_does_not_open_is_refused_and_not_stored(
        terminal: Terminal, world: World):
    _private, other = new_key_pair()
    sha256 = hashlib.sha256(JPEG).hexdigest()
    response = _upload(terminal, JPEG, seal(other, JPEG, attachment_context(sha256)))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "content_mismatch"
    assert terminal.head(f"/v1/attachments/{sha256}").status_code == 404


def test_a_sealed_upload_without_a_token_is_refused(server: EmbeddedServer):
    sha256 = hashlib.sha256(JPEG).hexdigest()
    box = seal(_public_key(server), JPEG, attachment_context(sha256))
    response = httpx.put(f"{server.url}/v1/attachments/{sha256}", content=box,
                         headers={"Content-Type": "image/jpeg", "X-Kiosk-Sealed": "1"})
    assert response.status_code == 401
