"""Terminal authentication and protocol version negotiation."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from server_testkit import Terminal, World, punch

from server.db import Database
from server.embedded import EmbeddedServer
from server.repo import terminals


def test_missing_token_is_refused_with_auth_required(server: EmbeddedServer) -> None:
    response = httpx.get(f"{server.url}/v1/pull")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth_required"


def test_unknown_token_is_refused_with_invalid_token(server: EmbeddedServer) -> None:
    response = httpx.get(f"{server.url}/v1/pull", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_non_bearer_authorization_is_refused_with_invalid_token(server: EmbeddedServer) -> None:
    response = httpx.get(f"{server.url}/v1/pull", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_revoked_terminal_gets_terminal_revoked_on_every_endpoint(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        terminals.revoke(conn, terminal.terminal_id)
    responses = [
        terminal.get("/v1/pull"),
        terminal.post("/v1/push", json={"items": [punch(world.alice)]}),
        terminal.head(f"/v1/attachments/{'0' * 64}"),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert responses[0].json()["error"]["code"] == "terminal_revoked"
    assert responses[1].json()["error"]["code"] == "terminal_revoked"


def test_revoking_one_terminal_leaves_the_others_working(
        enroll: Callable[..., Terminal], db: Database, world: World) -> None:
    first, second = enroll(world.site, "T1"), enroll(world.site, "T2")
    with db.write() as conn:
        terminals.revoke(conn, first.terminal_id)
    assert second.get("/v1/pull").status_code == 200


def test_unsupported_protocol_version_names_supported_versions(terminal: Terminal) -> None:
    response = terminal.get("/v1/pull", headers={"X-Kiosk-Protocol": "2"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "protocol_version"
    assert error["supported"] == [1]
    assert "2" in error["message"]


def test_protocol_version_is_checked_before_authentication(server: EmbeddedServer) -> None:
    response = httpx.post(f"{server.url}/v1/enroll", headers={"X-Kiosk-Protocol": "abc"},
                          json={"code": "AAAA-BBBB", "terminal_name": "T"})
    assert response.json()["error"]["code"] == "protocol_version"


def test_missing_protocol_header_assumes_version_1(terminal: Terminal) -> None:
    assert terminal.get("/v1/pull").status_code == 200
    assert terminal.get("/v1/pull", headers={"X-Kiosk-Protocol": "1"}).status_code == 200


def test_info_reports_supported_versions_and_server_time(server: EmbeddedServer) -> None:
    body = httpx.get(f"{server.url}/v1/info").json()
    assert body["supported_versions"] == [1]
    assert body["server_time"].endswith("Z")
