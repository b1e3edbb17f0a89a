"""Enrollment: a one-time, expiring code buys a terminal its own token."""

from __future__ import annotations

from datetime import timedelta

import httpx
from server_testkit import World, enrollment_code

from server.db import Database
from server.embedded import EmbeddedServer


def _enroll(server: EmbeddedServer, code: str, name: str = "T1") -> httpx.Response:
    return httpx.post(f"{server.url}/v1/enroll", json={"code": code, "terminal_name": name})


def test_enroll_with_valid_code_returns_token_and_site(
        server: EmbeddedServer, db: Database, world: World) -> None:
    response = _enroll(server, enrollment_code(db, world.site))
    assert response.status_code == 201
    body = response.json()
    assert body["token"] and body["terminal_id"] >= 1
    assert body["site"] == {"id": world.site, "name": "Plant A", "timezone": "Europe/Paris",
                            "language": "fr"}


def test_enroll_code_is_accepted_without_dashes_and_in_lower_case(
        server: EmbeddedServer, db: Database, world: World) -> None:
    code = enrollment_code(db, world.site)
    assert _enroll(server, code.replace("-", "").lower()).status_code == 201


def test_enroll_code_cannot_be_used_twice(
        server: EmbeddedServer, db: Database, world: World) -> None:
    code = enrollment_code(db, world.site)
    assert _enroll(server, code).status_code == 201
    again = _enroll(server, code, "T2")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "enrollment_code_used"


def test_enroll_expired_code_is_refused(
        server: EmbeddedServer, db: Database, world: World) -> None:
    code = enrollment_code(db, world.site, ttl=timedelta(seconds=-1))
    response = _enroll(server, code)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "enrollment_code_expired"


def test_enroll_unknown_code_is_refused(server: EmbeddedServer, world: World) -> None:
    response = _enroll(server, "AAAA-BBBB-CCCC")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "enrollment_code_invalid"


def test_enrolled_token_authenticates_a_pull(
        server: EmbeddedServer, db: Database, world: World) -> None:
    token = _enroll(server, enrollment_code(db, world.site)).json()["token"]
    response = httpx.get(f"{server.url}/v1/pull", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
