"""Benchmark: one server process holds 200 long-polling terminals (target p95 delivery <= 1 s).

200 enrolled terminals of one site long-poll ``/v1/pull`` concurrently (asyncio
+ httpx, one connection each). A sender terminal pushes a message to a worker
of the site; we time, for every terminal, from the push until its pull returns
the message. Several rounds; p95 over all deliveries.

The server runs as its own process (``python -m server serve``), as in
production: in-process, the 200 clients and the server would share one
interpreter lock and the benchmark would measure that. ``--server thread``
runs it embedded anyway.

    python bench/longpoll_fleet.py [--terminals 200] [--rounds 10] [--server process]
    python bench/longpoll_fleet.py --terminals 5000 --workers 2 --db postgresql+psycopg://...

With ``--workers N`` the server runs ``serve --workers N``; with ``--db`` it runs on
that (empty) PostgreSQL database instead of a new SQLite file.  Reports the server's
open file descriptors and RSS (all its processes) at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import ServerMode, percentile, start_site  # noqa: E402


async def catch_up(client: httpx.AsyncClient) -> str:
    cursor = None
    while True:
        response = await client.get("/v1/pull", params={"cursor": cursor} if cursor else {})
        body = response.json()
        cursor = body["cursor"]
        if not body["more"]:
            return cursor


async def poller(client: httpx.AsyncClient, cursor: str, seen: dict, stop: asyncio.Event) -> None:
    while not stop.is_set():
        response = await client.get("/v1/pull", params={"cursor": cursor, "wait": 20})
        now = time.perf_counter()
        body = response.json()
        cursor = body["cursor"]
        for change in body["changes"]:
            if change["type"] == "message":
                seen.setdefault(change["id"], []).append(now)


def server_footprint(pid: int) -> tuple[int, int]:
    """(open file descriptors, RSS in KiB) of a process and its children."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    fds = rss = 0
    for one in pids:
        try:
            fds += len(list(Path(f"/proc/{one}/fd").iterdir()))
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
        except OSError:
            pass
    return fds, rss


async def run(terminals: int, rounds: int, mode: ServerMode, workers: int = 1,
              db_url: str | None = None) -> list[float]:
    serve_args = ("--workers", str(workers)) if workers > 1 else ()
    site = start_site(mode, serve_args=serve_args, db_url=db_url)
    tokens = site.enroll(terminals + 1)
    base = site.server.url
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    connect = httpx.Timeout(40, connect=60)
    clients = [
        httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {t}"},
                          timeout=connect, limits=limits)
        for t in tokens
    ]
    sender, pollers = clients[0], clients[1:]
    cursors = await asyncio.gather(*(catch_up(c) for c in pollers))
    seen: dict[str, list[float]] = {}
    stop = asyncio.Event()
    tasks = [asyncio.create_task(poller(c, cur, seen, stop)) for c, cur in zip(pollers, cursors,
                                                                                strict=True)]
    await asyncio.sleep(1.0)
    delays: list[float] = []
    for n in range(rounds):
        message_id = str(uuid.uuid4())
        sent = time.perf_counter()
        response = await sender.post("/v1/push", json={"items": [{
            "id": message_id, "seq": n, "kind": "message",
            "payload": {"sender_id": site.alice, "to_employees": [site.bob], "kind": "text",
                        "body": f"Round {n}"}}]})
        assert response.json()["results"][0]["status"] == "accepted", response.text
        deadline = time.perf_counter() + 15
        while len(seen.get(message_id, [])) < terminals and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        arrivals = seen.get(message_id, [])
        if len(arrivals) < terminals:
            print(f"round {n}: only {len(arrivals)} of {terminals} terminals got the message")
        delays += [t - sent for t in arrivals]
        await asyncio.sleep(0.3)
    process = getattr(site.server, "process", None)
    if process is not None:
        fds, rss = server_footprint(process.pid)
        print(f"server: {fds} open file descriptors, RSS {rss / 1024:.0f} MiB")
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(c.aclose() for c in clients))
    site.close()
    return delays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--server", choices=["process", "thread"], default="process",
                        help="server in its own process (default) or on a thread of this one")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers N")
    parser.add_argument("--db", default=None, metavar="URL",
                        help="an empty PostgreSQL database (default: a new SQLite file)")
    args = parser.parse_args(argv)
    delays = asyncio.run(run(args.terminals, args.rounds, args.server, args.workers, args.db))
    ms = [d * 1000 for d in delays]
    engine = "PostgreSQL" if args.db else "SQLite"
    print(f"long-poll fleet: {args.terminals} terminals, {args.rounds} rounds, "
          f"{len(ms)} deliveries, server in a {args.server}, {args.workers} worker(s), {engine}")
    print(f"  median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms (target p95 <= 1000 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
