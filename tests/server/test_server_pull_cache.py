"""The shared pull answers (server/pull_cache.py): one query per wake, never a stale one."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from server_testkit import Terminal, World, text_message

from server.db import Database
from server.notify import ChangeNotifier
from server.pull_cache import PullCache
from server.repo import directory


class Counter:
    """A compute function that counts its calls and tags its answers with the count."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls = 0
        self.gate = gate

    def __call__(self) -> dict[str, Any]:
        self.calls += 1
        n = self.calls
        if self.gate is not None:
            assert self.gate.wait(5)
        return {"cursor": f"c{n}", "changes": [{"n": n}], "more": False, "reset": False,
                "server_time": None}


def _run(test: Callable[[ChangeNotifier, PullCache], Any]) -> None:
    async def main() -> None:
        notifier = ChangeNotifier()
        notifier.bind(asyncio.get_running_loop())
        await test(notifier, PullCache(notifier))

    asyncio.run(main())


def test_concurrent_pulls_of_one_site_share_one_query() -> None:
    async def test(notifier: ChangeNotifier, cache: PullCache) -> None:
        compute = Counter()
        answers = await asyncio.gather(*(cache.get(1, "cur", compute) for _ in range(50)))
        assert compute.calls == 1
        assert {a["cursor"] for a in answers} == {"c1"}
        assert all(a["server_time"] is not None for a in answers)
        await cache.get(1, "cur", compute)
        assert compute.calls == 1
        await cache.get(1, "other cursor", compute)
        await cache.get(2, "cur", compute)
        assert compute.calls == 3

    _run(test)


def test_a_change_for_the_site_or_every_site_invalidates() -> None:
    async def test(notifier: ChangeNotifier, cache: PullCache) -> None:
        compute = Counter()
        await cache.get(1, "cur", compute)
        notifier.fire({2})
        assert (await cache.get(1, "cur", compute))["cursor"] == "c1"
        notifier.fire({1})
        assert (await cache.get(1, "cur", compute))["cursor"] == "c2"
        notifier.fire({None})
        assert (await cache.get(1, "cur", compute))["cursor"] == "c3"

    _run(test)


def test_an_answer_begun_before_a_change_is_not_served_after_it() -> None:
    async def test(notifier: ChangeNotifier, cache: PullCache) -> None:
        gate = threading.Event()
        compute = Counter(gate)
        before = asyncio.ensure_future(cache.get(1, "cur", compute))
        await asyncio.sleep(0.05)  # its query is under way
        notifier.fire({1})  # a change committed meanwhile
        after = asyncio.ensure_future(cache.get(1, "cur", compute))
        await asyncio.sleep(0.05)
        gate.set()
        assert (await before)["cursor"] == "c1"
        assert (await after)["cursor"] == "c2"  # its own query, not the older one
        assert (await cache.get(1, "cur", compute))["cursor"] == "c2"

    _run(test)


def test_answers_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    async def test(notifier: ChangeNotifier, cache: PullCache) -> None:
        compute = Counter()
        await cache.get(1, "cur", compute)
        later = time.monotonic() + 60
        monkeypatch.setattr("server.pull_cache.time.monotonic", lambda: later)
        await cache.get(1, "cur", compute)
        assert compute.calls == 2

    _run(test)


def test_a_failure_reaches_every_waiter_and_is_not_kept() -> None:
    async def test(notifier: ChangeNotifier, cache: PullCache) -> None:
        calls = []

        def fail() -> dict[str, Any]:
            calls.append(1)
            time.sleep(0.05)
            raise ValueError("bad cursor")

        results = await asyncio.gather(*(cache.get(1, "bad", fail) for _ in range(5)),
                                       return_exceptions=True)
        assert all(isinstance(r, ValueError) for r in results) and len(calls) == 1
        with pytest.raises(ValueError):
            await cache.get(1, "bad", fail)
        assert len(calls) == 2

    _run(test)


def test_one_change_wakes_every_long_poll_of_the_site(
        enroll: Callable[..., Terminal], world: World) -> None:
    writer = enroll(world.site, "writer")
    readers = [enroll(world.site, f"reader {n}") for n in range(30)]
    cursors = [reader.pull_all()[1] for reader in readers]

    async def poll(reader: Terminal, cursor: str) -> tuple[list[str], float]:
        async with httpx.AsyncClient(base_url=str(reader.base_url), headers=reader.headers,
                                     timeout=30) as client:
            body = (await client.get("/v1/pull", params={"cursor": cursor, "wait": 20})).json()
        return [c["type"] for c in body["changes"]], time.monotonic()

    async def main() -> tuple[list[tuple[list[str], float]], float]:
        polls = asyncio.gather(*(poll(r, c) for r, c in zip(readers, cursors, strict=True)))
        await asyncio.sleep(1.0)
        pushed = time.monotonic()
        await asyncio.to_thread(writer.push, text_message(world.alice, (world.bob,)))
        return await polls, pushed

    answers, pushed = asyncio.run(main())
    assert [types for types, _ in answers] == [["message"]] * 30
    assert max(at for _, at in answers) - pushed < 3.0


def test_fresh_pulls_query_even_when_an_answer_is_kept() -> None:
    async def test(notifier: ChangeNotifier, cache: PullCache) -> None:
        compute = Counter()
        await cache.get(1, "cur", compute)
        # another process committed: no fire yet, but a pull without wait must see it
        assert (await cache.get(1, "cur", compute, fresh=True))["cursor"] == "c2"
        assert (await cache.get(1, "cur", compute))["cursor"] == "c2"  # kept the newer one
        assert compute.calls == 2

    _run(test)


def test_pull_without_wait_sees_a_commit_of_another_process_at_once(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    for _ in range(3):  # the answer for this cursor is kept...
        assert terminal.get("/v1/pull", params={"cursor": cursor}).json()["changes"] == []
    with db.write() as conn:  # ...when another process commits (no notification yet)
        directory.update_employee(conn, world.bob, name="Robert")
    changes = terminal.get("/v1/pull", params={"cursor": cursor}).json()["changes"]
    assert [c.get("name") for c in changes] == ["Robert"]


def test_long_poll_sees_a_commit_of_another_process_within_about_a_second(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    assert terminal.get("/v1/pull", params={"cursor": cursor, "wait": 1}).json()["changes"] == []
    with db.write() as conn:
        directory.update_employee(conn, world.bob, name="Robert")
    started = time.monotonic()
    body = terminal.get("/v1/pull", params={"cursor": cursor, "wait": 20}).json()
    assert [c.get("name") for c in body["changes"]] == ["Robert"]
    assert time.monotonic() - started < 2.5
