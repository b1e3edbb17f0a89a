"""Benchmark: one terminal floods the server with 500 large drawings; another terminal's
single punch must still answer in <= 200 ms p95.

The server runs as its own process (``python -m server serve``), as in production.
Terminal B ("the clock") pushes one punch at a time, every 50 ms, and times each
answer: first alone (the baseline, same run), then while terminal A (hostile: it
ignores Retry-After) pushes 500 drawings of ``--points`` points each from several
connections at once, resending whatever the server defers until every drawing is in
or ``--max-seconds`` pass. Reports median and p95 of the punch latency in both
phases, their ratio, and how the flood fared.

    python bench/drawing_flood.py [--drawings 500] [--points 20000] [--connections 4]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import threading
import time
import uuid
from multiprocessing.process import BaseProcess
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import percentile, start_site  # noqa: E402

WALL_TIME = "2026-03-02T07:58:00+01:00"


def big_drawing(points: int, rng: random.Random) -> dict:
    """A scribble of ``points`` points over a 1280x800 canvas, in strokes of 2,000."""
    strokes, left = [], points
    x, y = 640.0, 400.0
    while left:
        n = min(left, 2000)
        pts = []
        for _ in range(n):
            x = min(1279.0, max(0.0, x + rng.uniform(-12, 12)))
            y = min(799.0, max(0.0, y + rng.uniform(-12, 12)))
            pts.append([round(x, 1), round(y, 1)])
        strokes.append({"color": "#1144ee", "width": 8.0, "points": pts})
        left -= n
    return {"width": 1280, "height": 800, "strokes": strokes}


def clock(client: httpx.Client, employee: int, stop: threading.Event,
          latencies: list[float]) -> None:
    seq = 0
    while not stop.is_set():
        seq += 1
        item = {"id": str(uuid.uuid4()), "seq": seq, "kind": "punch", "payload": {
            "employee_id": employee, "direction": "IN", "wall_time": WALL_TIME,
            "monotonic_ns": seq, "boot_id": "bench"}}
        started = time.perf_counter()
        response = client.post("/v1/push", json={"items": [item]})
        latencies.append(time.perf_counter() - started)
        assert response.json()["results"][0]["status"] == "accepted", response.text
        stop.wait(0.05)


def flood(base: str, token: str, items: list[bytes], per_request: int, connections: int,
          max_seconds: float, out: multiprocessing.Queue) -> None:
    """The hostile terminal, in its own process: items are JSON encoded once, so this
    process costs the machine little besides the sockets."""
    queue, lock = list(items), threading.Lock()
    stats = {"requests": 0}
    deadline = time.monotonic() + max_seconds

    def connection() -> None:
        client = httpx.Client(base_url=base, timeout=120, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        while time.monotonic() < deadline:
            with lock:
                batch, queue[:] = queue[:per_request], queue[per_request:]
            if not batch:
                return
            response = client.post("/v1/push", content=b'{"items":[' + b",".join(batch) + b"]}")
            results = response.json().get("results", []) if response.status_code == 200 else []
            with lock:
                stats["requests"] += 1
                stats[str(response.status_code)] = stats.get(str(response.status_code), 0) + 1
                for item, result in zip(batch, results, strict=False):
                    stats[result["status"]] = stats.get(result["status"], 0) + 1
                    if result["status"] == "deferred":
                        queue.append(item)  # hostile: straight back, no waiting
                if not results:
                    queue.extend(batch)

    threads = [threading.Thread(target=connection) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats["left"] = len(queue)
    out.put(stats)


def phase_until(client: httpx.Client, employee: int, process: BaseProcess) -> list[float]:
    """Punch latencies while ``process`` runs."""
    stop, latencies = threading.Event(), []
    thread = threading.Thread(target=clock, args=(client, employee, stop, latencies))
    thread.start()
    process.join()
    stop.set()
    thread.join()
    return latencies


def phase(client: httpx.Client, employee: int, seconds: float) -> list[float]:
    stop, latencies = threading.Event(), []
    thread = threading.Thread(target=clock, args=(client, employee, stop, latencies))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drawings", type=int, default=500)
    parser.add_argument("--points", type=int, default=20_000, help="per drawing (max 60,000)")
    parser.add_argument("--connections", type=int, default=4, help="flooding connections")
    parser.add_argument("--per-request", type=int, default=4, help="drawings per push")
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--points-per-minute", type=int, default=None,
                        help="the server's ink budget per terminal (default: the server's); "
                             "a large one renders every drawing, to load the renderer")
    args = parser.parse_args()

    serve_args = () if args.points_per_minute is None else (
        "--drawing-points-per-minute", str(args.points_per_minute))
    site = start_site("process", serve_args)
    try:
        flooder_token, clock_token = site.enroll(2)
        base = site.server.url
        clock_client = httpx.Client(base_url=base, timeout=60,
                                    headers={"Authorization": f"Bearer {clock_token}"})
        baseline = phase(clock_client, site.bob, args.baseline_seconds)

        rng = random.Random(7)
        shapes = [big_drawing(args.points, rng) for _ in range(8)]
        items = [json.dumps({"id": str(uuid.uuid4()), "seq": n, "kind": "message", "payload": {
            "sender_id": site.alice, "to_employees": [site.bob], "kind": "drawing",
            "drawing": shapes[n % len(shapes)]}}).encode() for n in range(args.drawings)]
        body_bytes = sum(len(i) for i in items[:args.per_request])
        spawn = multiprocessing.get_context("spawn")
        results: multiprocessing.Queue = spawn.Queue()
        flooder = spawn.Process(target=flood, args=(
            base, flooder_token, items, args.per_request, args.connections, args.max_seconds,
            results))
        started = time.perf_counter()
        flooder.start()
        during = phase_until(clock_client, site.bob, flooder)
        stats = results.get(timeout=30)
        flooder.join()
        flood_s = time.perf_counter() - started
    finally:
        site.close()

    def ms(values: list[float], q: float | None = None) -> float:
        return 1000 * (statistics.median(values) if q is None else percentile(values, q))

    print(f"flood: {args.drawings} drawings x {args.points} points, {args.connections} "
          f"connections, {args.per_request} per push ({body_bytes / 1e6:.2f} MB), "
          f"{flood_s:.1f} s; {stats}")
    print(f"punch alone:       n={len(baseline)} median {ms(baseline):.1f} ms, "
          f"p95 {ms(baseline, 95):.1f} ms")
    print(f"punch during flood: n={len(during)} median {ms(during):.1f} ms, "
          f"p95 {ms(during, 95):.1f} ms (target <= 200 ms); ratio p95 "
          f"{ms(during, 95) / ms(baseline, 95):.2f}x")


if __name__ == "__main__":
    main()
