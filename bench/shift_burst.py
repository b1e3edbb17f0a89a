"""Benchmark: a shift change, 2,000 punches from 500 terminals within 10 seconds.

20 sites of 100 workers each, 25 terminals per site.  Each terminal pushes its four
workers' punches, one push each, at random moments of a 10-second window (asyncio +
httpx, one connection per terminal).  Then every terminal sends all of them again, as
a terminal that never heard the answers would: each must come back ``duplicate``.
Reports the push latency (median, p95; target p95 ≤ 500 ms) and checks that the
server stored every punch exactly once.

    python bench/shift_burst.py [--terminals 500] [--workers 2] [--db postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import percentile, start_site  # noqa: E402
from server.db.schema import punches  # noqa: E402
from server.repo import directory, terminals  # noqa: E402

SITES = 20
WINDOW_S = 10.0


def punch_item(employee_id: int, seq: int) -> dict:
    return {"id": str(uuid.uuid4()), "seq": seq, "kind": "punch", "payload": {
        "employee_id": employee_id, "direction": "IN",
        "wall_time": datetime.now(UTC).astimezone().isoformat(),
        "monotonic_ns": time.monotonic_ns(), "boot_id": "bench-boot"}}


async def push_until_answered(client: httpx.AsyncClient, item: dict,
                              retries: Counter[str]) -> dict:
    """Push one item as a terminal does: a network error (a kept-alive connection the
    server closed just as the push went out) means "send it again", same id."""
    while True:
        try:
            response = await client.post("/v1/push", json={"items": [item]})
            return response.json()["results"][0]
        except httpx.TransportError as exc:
            retries[type(exc).__name__] += 1
            await asyncio.sleep(0.1)


async def terminal(client: httpx.AsyncClient, workers: list[int], rng: random.Random,
                   latencies: list[float], sent: list[dict], retries: Counter[str]) -> None:
    for seq, employee in enumerate(workers, start=1):
        await asyncio.sleep(rng.uniform(0, WINDOW_S / len(workers)))
        item = punch_item(employee, seq)
        started = time.perf_counter()
        result = await push_until_answered(client, item, retries)
        latencies.append(time.perf_counter() - started)
        # a retry of a push whose answer was lost gets "duplicate" of an accepted one
        assert result["status"] == "accepted" or result.get("original_status") == "accepted", \
            result
        sent.append(item)


async def run(count: int, workers_per_terminal: int, serve_workers: int,
              db_url: str | None) -> tuple[list[float], int, int, int]:
    serve_args = ("--workers", str(serve_workers)) if serve_workers > 1 else ()
    site = start_site("process", serve_args=serve_args, db_url=db_url)
    per_site = count // SITES
    tokens: list[tuple[str, list[int]]] = []
    enroll = httpx.Client(base_url=site.server.url, timeout=60)
    for s in range(SITES):
        with site.db.write() as conn:
            site_id = directory.create_site(conn, f"Site {s}")
            staff = [directory.create_employee(conn, f"Worker {s}.{n}", site_id)
                     for n in range(per_site * workers_per_terminal)]
            codes = [terminals.create_enrollment_code(conn, site_id, timedelta(hours=1))[0]
                     for _ in range(per_site)]
        for n, code in enumerate(codes):
            token = enroll.post("/v1/enroll", json={"code": code, "terminal_name": f"T{n}"}
                                ).json()["token"]
            tokens.append((token, staff[n * workers_per_terminal:(n + 1) * workers_per_terminal]))
    enroll.close()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=site.server.url, limits=limits,
                                 timeout=httpx.Timeout(60, connect=60),
                                 headers={"Authorization": f"Bearer {token}"})
               for token, _ in tokens]
    latencies: list[float] = []
    retries: Counter[str] = Counter()
    sent: list[list[dict]] = [[] for _ in clients]
    rng = random.Random(3)
    started = time.perf_counter()
    await asyncio.gather(*(terminal(c, staff, rng, latencies, sent[i], retries)
                           for i, (c, (_t, staff)) in enumerate(zip(clients, tokens,
                                                                    strict=True))))
    window = time.perf_counter() - started
    async def resend(client: httpx.AsyncClient, items: list[dict]) -> int:
        results = [await push_until_answered(client, item, retries) for item in items]
        return sum(r["status"] == "duplicate" for r in results)

    burst_retries, retries = retries, Counter()
    duplicates = sum(await asyncio.gather(*(resend(c, items)
                                            for c, items in zip(clients, sent, strict=True))))
    await asyncio.gather(*(c.aclose() for c in clients))
    with site.db.read() as conn:
        stored = conn.execute(select(func.count()).select_from(punches)).scalar_one()
    site.close()
    # A re-send after a quiet spell may meet a kept-alive connection the server has
    # just closed (uvicorn's 5 s keep-alive): counted apart from the burst's own.
    print(f"the burst took {window:.1f} s; network errors retried: during the burst "
          f"{dict(burst_retries) or 'none'}, while re-sending {dict(retries) or 'none'}")
    return latencies, stored, duplicates, sum(len(s) for s in sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=500)
    parser.add_argument("--per-terminal", type=int, default=4, help="punches per terminal")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers N")
    parser.add_argument("--db", default=None, metavar="URL",
                        help="an empty PostgreSQL database (default: a new SQLite file)")
    args = parser.parse_args()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    latencies, stored, duplicates, pushed = asyncio.run(
        run(args.terminals, args.per_terminal, args.workers, args.db))
    ms = [x * 1000 for x in latencies]
    engine = "PostgreSQL" if args.db else "SQLite"
    print(f"shift burst: {pushed} punches from {args.terminals} terminals, "
          f"{args.workers} worker(s), {engine}")
    print(f"  load average {' '.join(load_before)} -> "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print(f"  push median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 95):.0f} ms "
          f"(target p95 <= 500 ms)")
    print(f"  stored {stored} (exactly once: {stored == pushed}); re-sent: {duplicates} "
          f"duplicates of {pushed}")
    return 0 if stored == pushed == duplicates else 1


if __name__ == "__main__":
    raise SystemExit(main())
