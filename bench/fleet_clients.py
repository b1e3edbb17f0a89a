"""Long-polling terminals simulated in a client process (asyncio + aiohttp).

``longpoll_fleet.py`` starts several of these processes (``multiprocessing``), each
holding one long-poll per terminal on one connection per terminal, so that thousands of
clients do not share one interpreter. Arrival times are ``time.monotonic()``: the same
clock in every process of the machine, so the coordinator can subtract its send times.

Commands over the pipe: the coordinator sends ``"stop"``; the process answers
``("ready", n)`` once every terminal caught up and holds a long-poll, and at the end
``("done", arrivals, errors)``: for each change key (a message id, or ``employee:NAME``
for a directory change) the arrival times; errors counted by kind.
"""

from __future__ import annotations

import asyncio
import resource
import time
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

WAIT_S = 20


def raise_open_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def change_key(change: dict[str, Any]) -> str | None:
    if change["type"] == "message":
        return change["id"]
    if change["type"] == "employee":
        return f"employee:{change['name']}"
    return None


class Fleet:
    def __init__(self, url: str, tokens: list[str]) -> None:
        self.url = url
        self.tokens = tokens
        self.arrivals: dict[str, list[float]] = {}
        self.errors: Counter[str] = Counter()
        self.stopping = False

    async def _get(self, session: Any, token: str, params: dict[str, Any]) -> dict[str, Any]:
        async with session.get(f"{self.url}/v1/pull", params=params,
                               headers={"Authorization": f"Bearer {token}"}) as response:
            if response.status != 200:
                self.errors[f"HTTP {response.status}"] += 1
                raise RuntimeError(response.status)
            return await response.json()

    async def catch_up(self, session: Any, token: str) -> str:
        cursor = None
        while True:
            try:
                body = await self._get(session, token, {"cursor": cursor} if cursor else {})
            except Exception as exc:  # a refused connection under the first rush: again
                self.errors[f"catch-up {type(exc).__name__}"] += 1
                await asyncio.sleep(0.5)
                continue
            cursor = body["cursor"]
            if not body["more"]:
                return cursor

    async def poll(self, session: Any, token: str, cursor: str) -> None:
        while not self.stopping:
            try:
                body = await self._get(session, token, {"cursor": cursor, "wait": WAIT_S})
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not self.stopping:
                    self.errors[type(exc).__name__] += 1
                    await asyncio.sleep(0.5)
                continue
            now = time.monotonic()
            cursor = body["cursor"]
            for change in body["changes"]:
                key = change_key(change)
                if key is not None:
                    self.arrivals.setdefault(key, []).append(now)


async def _run(url: str, tokens: list[str], pipe: Connection) -> None:
    import aiohttp

    fleet = Fleet(url, tokens)
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=WAIT_S + 40, sock_connect=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        gate = asyncio.Semaphore(100)  # catching up: not 2,500 requests at one instant

        async def start(token: str) -> asyncio.Task[None]:
            async with gate:
                cursor = await fleet.catch_up(session, token)
            return asyncio.create_task(fleet.poll(session, token, cursor))

        tasks = await asyncio.gather(*(start(t) for t in tokens))
        await asyncio.sleep(1.0)
        pipe.send(("ready", len(tokens)))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, pipe.recv)  # "stop"
        fleet.stopping = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    pipe.send(("done", fleet.arrivals, dict(fleet.errors)))


def client_main(url: str, tokens: list[str], pipe: Connection) -> None:
    """Entry point of a client process."""
    raise_open_file_limit()
    try:
        from uvloop import run  # the server's loop too: a fair share of the CPU each
    except ImportError:
        run = asyncio.run
    run(_run(url, tokens, pipe))
