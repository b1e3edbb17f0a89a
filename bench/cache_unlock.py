"""Benchmark: what the encrypted cache adds to a start: the key fetched from a loopback
server (``POST /v1/cache-key``, signed) and the database opened with it, against the
same database opened plain.

The terminal shows its idle screen before either (the sync asks for the key after the
first frame, and the core reopens when it comes), so this is the time until messages
are readable, on top of ``bench/startup_memory.py``'s start. The demo company, enrolled
with the demo server in-process on 127.0.0.1, synced once.

    python bench/cache_unlock.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import percentile  # noqa: E402
from kiosk.demo.server import DemoServer  # noqa: E402
from kiosk.storage import open_database  # noqa: E402
from kiosk.sync.client import ServerClient  # noqa: E402
from kiosk.sync.credentials import load_enrollment  # noqa: E402
from kiosk.sync.enrollment import enroll_terminal  # noqa: E402
from kiosk.sync.signing import RequestSigner, load_key  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    server = DemoServer(root / "server")
    data = root / "terminal"
    enroll_terminal(data, server.url, server.new_enrollment_code(), "bench")
    enrollment = load_enrollment(data)
    signer = RequestSigner(load_key(data))
    path = data / "kiosk.sqlite3"
    plain, unlocked, fetch = [], [], []
    try:
        client = ServerClient(server.url, enrollment.token, signer)
        open_database(path, client.cache_key()).conn.close()  # split once, as a first start
        client.close()
        for _ in range(args.runs):
            t0 = time.perf_counter()
            open_database(path).conn.close()
            t1 = time.perf_counter()
            client = ServerClient(server.url, enrollment.token, signer)  # a new connection
            key = client.cache_key()
            t2 = time.perf_counter()
            open_database(path, key).conn.close()
            t3 = time.perf_counter()
            client.close()
            plain.append((t1 - t0) * 1000)
            fetch.append((t2 - t1) * 1000)
            unlocked.append((t3 - t1) * 1000)
    finally:
        server.stop()
    print(f"{args.runs} runs, median / p95:")
    for name, ms in (("open, locked (no key)", plain), ("key fetch on loopback", fetch),
                     ("key fetch + open with the key", unlocked)):
        print(f"  {name}: {statistics.median(ms):.1f} / {percentile(ms, 95):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
