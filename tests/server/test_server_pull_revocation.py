"""The cheap long-poll wake path keeps its security: a held long-poll of a terminal
revoked elsewhere ends promptly, and the token's last use is still written."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
from server_testkit import Terminal, World

from server.db import Database
from server.db.types import utcnow
from server.repo import directory, terminals
from server.touches import TouchBuffer


def _hold(terminal: Terminal, cursor: str, into: dict[str, object]) -> threading.Thread:
    def run() -> None:
        response = terminal.get("/v1/pull", params={"cursor": cursor, "wait": 20})
        into["at"], into["response"] = time.monotonic(), response

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_held_long_poll_ends_with_terminal_revoked_soon_after_a_revocation_elsewhere(
        enroll: Callable[..., Terminal], db: Database, world: World) -> None:
    # ``db`` is not the server's handle: its commits reach the server as another
    # process's do (the change watcher on SQLite, LISTEN on PostgreSQL).
    revoked, kept = enroll(world.site, "revoked"), enroll(world.site, "kept")
    held: dict[str, dict[str, object]] = {"revoked": {}, "kept": {}}
    threads = [_hold(revoked, revoked.pull_all()[1], held["revoked"]),
               _hold(kept, kept.pull_all()[1], held["kept"])]
    time.sleep(0.5)  # both are waiting
    with db.write() as conn:
        terminals.revoke(conn, revoked.terminal_id)
    revoked_at = time.monotonic()
    threads[0].join(10)
    response = held["revoked"]["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "terminal_revoked"
    assert held["revoked"]["at"] - revoked_at < 3.0  # type: ignore[operator]
    assert "response" not in held["kept"]  # woken too, found nothing for it, waits on
    with db.write() as conn:  # end the other long-poll
        directory.update_employee(conn, world.bob, name="Robert")
    threads[1].join(10)
    kept_response = held["kept"]["response"]
    assert isinstance(kept_response, httpx.Response) and kept_response.status_code == 200


def test_the_terminals_last_use_noted_in_memory_is_written_by_one_flush(
        enroll: Callable[..., Terminal], db: Database, world: World) -> None:
    first, second = enroll(world.site, "T1"), enroll(world.site, "T2")
    buffer = TouchBuffer(db)
    later = utcnow().replace(microsecond=0) + timedelta(days=1)  # after any real use
    buffer.note(first.terminal_id, terminals.CURRENT, later)
    buffer.note(second.terminal_id, terminals.PREVIOUS, later)
    assert buffer.flush() == 2
    with db.read() as conn:
        rows = {r.id: r for r in terminals.list_terminals(conn)}
    assert rows[first.terminal_id].last_seen_at == later
    assert rows[first.terminal_id].token_last_used_at == later
    assert rows[second.terminal_id].last_seen_at == later
    assert rows[second.terminal_id].previous_token_last_used_at == later
    assert buffer.flush() == 0  # nothing noted since

