"""Malformed, oversized and out-of-contract requests: 4xx JSON, nothing stored."""

from __future__ import annotations

import json

import httpx
import pytest
from server_testkit import Terminal, World, item, punch, text_message
from sqlalchemy import func, select

from server.db import Database
from server.db.schema import changes, message_recipients, messages, punches, push_log
from server.embedded import EmbeddedServer


def _count(db: Database, table) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _nothing_stored(db: Database) -> bool:
    with db.read() as conn:
        return all(conn.execute(select(func.count()).select_from(t)).scalar_one() == 0
                   for t in (punches, push_log))


def test_malformed_json_is_400_with_json_error(terminal: Terminal, db: Database) -> None:
    response = terminal.post("/v1/push", content=b'{"items": [', headers={
        "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert _nothing_stored(db)


def test_item_without_id_refuses_the_whole_batch(
        terminal: Terminal, db: Database, world: World) -> None:
    no_id = {k: v for k, v in punch(world.alice).items() if k != "id"}
    response = terminal.post("/v1/push", json={"items": [punch(world.alice), no_id]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["details"][0]["loc"] == ["body", "items", "1", "id"]
    assert _nothing_stored(db)


def test_batch_over_500_items_is_refused_and_nothing_stored(
        terminal: Terminal, db: Database, world: World) -> None:
    response = terminal.post("/v1/push", json={"items": [punch(world.alice)] * 501})
    assert response.status_code == 422
    assert _nothing_stored(db)


def test_oversized_request_is_413_json_and_nothing_stored(
        terminal: Terminal, db: Database, world: World) -> None:
    huge = json.dumps({"items": [punch(world.alice, boot_id="x" * (3 * 1024 * 1024))]})
    response = terminal.post("/v1/push", content=huge,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert _nothing_stored(db)


def test_oversized_chunked_request_is_413_json(terminal: Terminal, world: World) -> None:
    def chunks():
        yield b'{"items": ['
        for _ in range(3 * 1024):
            yield b" " * 1024
        yield b"]}"

    response = terminal.post("/v1/push", content=chunks(),
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_body_over_4000_characters_is_rejected_per_item(
        terminal: Terminal, world: World) -> None:
    from server_testkit import text_message

    [result] = terminal.push(text_message(world.alice, (world.bob,), body="x" * 4001))
    assert result["error"]["code"] == "invalid_payload"


def test_unknown_field_in_envelope_is_refused(terminal: Terminal, world: World) -> None:
    response = terminal.post("/v1/push", json={"items": [], "extra": 1})
    assert response.status_code == 422


def test_unknown_route_is_404_json(server: EmbeddedServer) -> None:
    response = httpx.get(f"{server.url}/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_405_json(server: EmbeddedServer) -> None:
    response = httpx.delete(f"{server.url}/v1/push")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("where", ["applying an item", "inserting the batch's rows"])
def test_unexpected_failure_mid_batch_is_500_json_and_rolls_back_the_batch(
        where: str, terminal: Terminal, db: Database, world: World,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from server.repo import batch as batch_module
    from server.services import push as push_service

    secret = "SECRET" + "-BODY"  # not spelled out: traceback lines show source code

    def fail(*_args, **_kwargs):
        raise RuntimeError(f"disk on fire: {secret}")

    the_punch = punch(world.alice)
    items = [the_punch, text_message(world.alice, to_employees=(world.bob,)), punch(world.bob)]
    if where == "applying an item":  # the void flushes the rows before it, then fails
        monkeypatch.setattr(push_service.punches, "void", fail)
        items.append(item("punch_void", {"punch_id": the_punch["id"]}))
    else:  # messages and punches are inserted, then the change log fails
        monkeypatch.setattr(batch_module.changes, "insert", fail)
    changes_before = _count(db, changes)
    response = terminal.post("/v1/push", json={"items": items})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert _nothing_stored(db)
    assert _count(db, messages) == _count(db, message_recipients) == 0
    assert _count(db, changes) == changes_before
    assert "RuntimeError" in caplog.text and secret not in caplog.text
