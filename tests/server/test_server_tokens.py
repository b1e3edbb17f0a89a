"""Tokens rotate with a grace period; revocation ends a terminal's long-polls at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
from server_testkit import Terminal, World, run_cli
from sqlalchemy import select, update

from server.db import Database
from server.db.schema import terminals
from server.db.types import utcnow
from server.embedded import EmbeddedServer
from server.repo import directory
from server.repo import terminals as terminal_repo


def _as(server: EmbeddedServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def _token_of(client: Terminal) -> str:
    return client.headers["Authorization"].split(" ", 1)[1]


def _rotate(client: httpx.Client) -> dict:
    response = client.post("/v1/token")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_rotated_token_works_at_once(server: EmbeddedServer, terminal: Terminal) -> None:
    fresh = _rotate(terminal)["token"]
    assert _as(server, fresh).get("/v1/pull").status_code == 200


def test_the_old_token_works_until_its_grace_period_ends(
        server: EmbeddedServer, terminal: Terminal, db: Database) -> None:
    old = _token_of(terminal)
    answer = _rotate(terminal)
    assert _as(server, old).get("/v1/pull").status_code == 200
    assert answer["previous_expires_at"] > answer["issued_at"]
    with db.write() as conn:
        conn.execute(update(terminals).values(previous_token_expires_at=utcnow()))
    expired = _as(server, old).get("/v1/pull")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "token_expired"


def test_rotating_again_with_the_old_token_replaces_a_new_token_that_was_lost(
        server: EmbeddedServer, terminal: Terminal) -> None:
    old = _as(server, _token_of(terminal))
    lost = _rotate(terminal)
    second = _rotate(old)
    assert second["previous_expires_at"] == lost["previous_expires_at"]  # never extended
    assert _as(server, lost["token"]).get("/v1/pull").status_code == 401
    assert _as(server, second["token"]).get("/v1/pull").status_code == 200


def test_a_copy_of_the_old_token_cannot_rotate_once_the_new_one_is_in_use(
        server: EmbeddedServer, terminal: Terminal) -> None:
    old = _as(server, _token_of(terminal))
    fresh = _as(server, _rotate(terminal)["token"])
    assert fresh.get("/v1/pull").status_code == 200  # the terminal uses its new token
    stolen = old.post("/v1/token")
    assert stolen.status_code == 401
    assert stolen.json()["error"]["code"] == "token_expired"
    assert fresh.get("/v1/pull").status_code == 200


def test_the_old_token_stops_two_minutes_after_the_new_one_is_first_used(
        server: EmbeddedServer, terminal: Terminal, db: Database) -> None:
    answer = _rotate(terminal)
    _as(server, answer["token"]).get("/v1/pull")
    with db.read() as conn:
        expires = conn.execute(select(terminals.c.previous_token_expires_at)).scalar_one()
    assert expires <= utcnow() + terminal_repo.SUCCESSOR_OVERLAP


def test_rotations_racing_with_one_token_leave_one_new_token_and_the_old_in_its_grace(
        server: EmbeddedServer, terminal: Terminal) -> None:
    """As a terminal retrying a rotation whose answers it lost: each later one replaces
    the token the earlier one made; the token it rotates with keeps its grace period."""
    token = _token_of(terminal)
    start = threading.Barrier(4)
    answers: list[httpx.Response] = []

    def rotate() -> None:
        client = _as(server, token)
        start.wait()
        answers.append(client.post("/v1/token"))

    racers = [threading.Thread(target=rotate) for _ in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(10)
    issued = [a.json()["token"] for a in answers if a.status_code == 200]
    working = [t for t in issued if _as(server, t).get("/v1/pull").status_code == 200]
    assert len(working) == 1
    assert _as(server, token).get("/v1/pull").status_code == 200


def test_a_token_two_rotations_old_no_longer_works(
        server: EmbeddedServer, terminal: Terminal) -> None:
    first = _token_of(terminal)
    second = _rotate(terminal)["token"]
    _rotate(_as(server, second))
    assert _as(server, first).get("/v1/pull").json()["error"]["code"] == "invalid_token"


def test_a_revoked_terminal_cannot_rotate_its_token(
        terminal: Terminal, db: Database) -> None:
    with db.write() as conn:
        terminal_repo.revoke(conn, terminal.terminal_id)
    response = terminal.post("/v1/token")
    assert response.status_code == 403


def test_terminals_list_shows_each_tokens_age_and_last_use_but_never_a_token(
        db_path, terminal: Terminal) -> None:
    terminal.get("/v1/pull")
    _rotate(terminal)
    listed = run_cli(db_path, "terminals", "list", "--json").stdout
    assert '"token_age"' in listed and '"token_last_used"' in listed
    assert '"previous_token": "valid until' in listed
    assert "hash" not in listed and _token_of(terminal) not in listed


# -- revocation -------------------------------------------------------------------------

def _revoked_during_a_long_poll(terminal: Terminal, db: Database,
                                then: Callable[[], None] = lambda: None,
                                ) -> tuple[httpx.Response, float]:
    """Hold a long-poll, revoke the terminal (then run ``then``); the poll's answer and
    how long it took."""
    _, cursor = terminal.pull_all()
    answers: list[tuple[httpx.Response, float]] = []

    def poll() -> None:
        started = time.monotonic()
        response = terminal.get("/v1/pull", params={"cursor": cursor, "wait": 20})
        answers.append((response, time.monotonic() - started))

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    time.sleep(0.5)  # the server holds it now
    with db.write() as conn:
        terminal_repo.revoke(conn, terminal.terminal_id)
    then()
    thread.join(10)
    [answer] = answers
    return answer


def test_revocation_ends_a_held_long_poll_at_once(
        terminal: Terminal, db: Database, world: World) -> None:
    response, took = _revoked_during_a_long_poll(terminal, db)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "terminal_revoked"
    assert took < 5  # the change watcher's second, not the poll's 20


def test_a_pull_held_before_revocation_delivers_nothing_committed_after_it(
        terminal: Terminal, db: Database, world: World) -> None:
    def hire() -> None:
        with db.write() as conn:
            directory.create_employee(conn, "Hired after the theft", world.site)

    response, _ = _revoked_during_a_long_poll(terminal, db, then=hire)
    assert response.status_code == 403
    assert "Hired after the theft" not in response.text
