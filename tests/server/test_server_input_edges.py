"""Input at the edges: calendar limits, NUL characters, hostile headers.

Each is refused with a 4xx or a per-item rejection; never a 5xx, never a traceback
in the server's log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from server_testkit import Terminal, World, item, of_type, punch, text_message

from server.embedded import EmbeddedServer


@pytest.fixture(autouse=True)
def no_error_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    with caplog.at_level(logging.WARNING):
        yield
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


UNREPRESENTABLE = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
CALENDAR_LIMITS = ["0001-01-01T00:00:00+00:00", "0001-01-01T00:59:59-01:00",
                   "9999-12-31T23:59:59Z", "9999-12-31T22:00:00-01:00"]


@pytest.mark.parametrize("wall_time", UNREPRESENTABLE)
def test_a_punch_time_with_no_utc_equivalent_is_rejected_alone(
        terminal: Terminal, world: World, wall_time: str) -> None:
    results = terminal.push(punch(world.alice, wall_time=wall_time), punch(world.alice))
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["error"]["code"] == "invalid_payload"


@pytest.mark.parametrize("wall_time", CALENDAR_LIMITS)
def test_a_punch_at_the_calendars_limits_is_kept(
        terminal: Terminal, world: World, wall_time: str) -> None:
    [result] = terminal.push(punch(world.alice, wall_time=wall_time))
    assert result["status"] == "accepted"


@pytest.mark.parametrize("field", ["read_at", "delivered_at"])
@pytest.mark.parametrize("when", UNREPRESENTABLE)
def test_a_receipt_time_with_no_utc_equivalent_is_rejected(
        terminal: Terminal, world: World, field: str, when: str) -> None:
    [result] = terminal.push(item("receipt", {
        "message_id": "6f1e4b43-5d7c-4c55-9d5c-111111111111", "employee_id": world.alice,
        field: when}))
    assert result["error"]["code"] == "invalid_payload"


@pytest.mark.parametrize("expires_at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_expiry_in_the_far_past_or_future_is_stored_and_pulled(
        terminal: Terminal, world: World, expires_at: str) -> None:
    [result] = terminal.push(text_message(world.alice, (world.bob,), expires_at=expires_at))
    assert result["status"] == "accepted"
    changes, _ = terminal.pull_all()
    assert result["id"] in {c["id"] for c in of_type(changes, "message")} | {
        c["id"] for c in of_type(changes, "delete")}


@pytest.mark.parametrize("expires_at", UNREPRESENTABLE)
def test_an_expiry_with_no_utc_equivalent_is_rejected(
        terminal: Terminal, world: World, expires_at: str) -> None:
    [result] = terminal.push(text_message(world.alice, (world.bob,), expires_at=expires_at))
    assert result["error"]["code"] == "invalid_payload"


@pytest.mark.parametrize("make", [
    lambda w: text_message(w.alice, (w.bob,), body="pallet\x00 on fire"),
    lambda w: punch(w.alice, boot_id="boot\x00"),
    lambda w: item("punch_void", {"punch_id": "6f1e4b43-5d7c-4c55-9d5c-111111111111",
                                  "reason": "oops\x00"}),
], ids=["message body", "punch boot id", "void reason"])
def test_a_nul_character_in_any_text_is_rejected_alone(
        terminal: Terminal, world: World, make) -> None:
    results = terminal.push(make(world), punch(world.alice))
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["error"]["code"] == "invalid_payload"


def test_a_nul_character_in_the_terminal_name_refuses_enrollment(
        server: EmbeddedServer) -> None:
    response = httpx.post(f"{server.url}/v1/enroll",
                          json={"code": "ABCD-EFGH-JKLM", "terminal_name": "hall\x00"})
    assert response.status_code == 422


@pytest.mark.parametrize("version", [
    "1" * 5000, "\u0661", "0x1", "-1", "+1", "1.0", "", "99999",
], ids=["5000 digits", "arabic-indic one", "hex", "negative", "plus", "decimal", "empty",
        "five digits"])
def test_a_protocol_header_that_is_not_a_few_ascii_digits_is_refused(
        terminal: Terminal, version: str) -> None:
    response = terminal.get("/v1/pull", headers={"X-Kiosk-Protocol": version.encode()})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "protocol_version"


@pytest.mark.parametrize("authorization", [
    "Bearer " + "a" * 5000, "Bearer " + "\u00e9" * 43, "Bearer abc", "Bearer a b c d e f g h",
    "Bearer\t" + "a" * 43, "Basic " + "a" * 43,
], ids=["5000 chars", "latin-1", "too short", "spaces", "tab", "basic"])
def test_an_authorization_that_is_not_a_token_of_ours_is_401(
        server: EmbeddedServer, authorization: str) -> None:
    response = httpx.get(f"{server.url}/v1/pull",
                         headers={"Authorization": authorization.encode("latin-1")})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_every_answer_carries_the_protocol_header(
        server: EmbeddedServer, terminal: Terminal) -> None:
    answers = [httpx.get(f"{server.url}/v1/info"), httpx.get(f"{server.url}/nowhere"),
               httpx.get(f"{server.url}/v1/pull"), terminal.get("/v1/pull"),
               terminal.post("/v1/push", content=b"{", headers={"Content-Type": "x"})]
    assert [a.headers.get("x-kiosk-protocol") for a in answers] == ["1"] * len(answers)


def test_a_lone_surrogate_escape_is_rejected_alone_not_the_whole_batch(
        terminal: Terminal, world: World) -> None:
    message = text_message(world.alice, (world.bob,), body="SURROGATE")
    body = json.dumps({"items": [message, punch(world.alice)]}).replace(
        '"SURROGATE"', '"pallet \\ud800"')
    response = terminal.post("/v1/push", content=body.encode(),
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["error"]["code"] == "invalid_payload"


def test_a_truncated_body_is_malformed_json(terminal: Terminal, world: World) -> None:
    body = json.dumps({"items": [punch(world.alice)]}).encode()[:-7]
    response = terminal.post("/v1/push", content=body, headers={"Content-Type":
                                                                 "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_a_body_nested_thousands_deep_is_malformed_json(terminal: Terminal) -> None:
    body = b'{"items":[{"id":"6f1e4b43-5d7c-4c55-9d5c-111111111111","seq":1,"kind":"punch",' \
        b'"payload":' + b"[" * 5000 + b"]" * 5000 + b"}]}"
    response = terminal.post("/v1/push", content=body, headers={"Content-Type":
                                                                 "application/json"})
    assert response.status_code in (400, 422)


def test_a_message_item_reusing_a_broadcasts_id_is_refused_alone(
        terminal: Terminal, db, world: World) -> None:
    from server.services import messaging

    with db.write() as conn:
        broadcast_id = messaging.broadcast(conn, world.hr, "Canteen closed", site_id=world.site)
    reused = text_message(world.alice, (world.bob,))
    reused["id"] = broadcast_id
    results = terminal.push(reused, punch(world.alice))
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["error"]["code"] == "invalid_payload"


@pytest.mark.parametrize("wall_time", [1e10, -1, 0, True])
def test_a_time_sent_as_a_number_is_rejected_alone(
        terminal: Terminal, world: World, wall_time: object) -> None:
    results = terminal.push(punch(world.alice, wall_time=wall_time), punch(world.alice))
    assert [r["status"] for r in results] == ["rejected", "accepted"]
