"""Benchmark: a message sent on one terminal shows on another of the site (p95 <= 1 s).

Two terminals, each with its own SQLite file and sync worker, enrolled to one
real server on loopback. Terminal A commits a message to its outbox (as the
compose screen does) and wakes its worker; we time until terminal B's puller
has applied it to B's database.

    python bench/sync_latency.py [--messages 40] [--server thread|process]
    python bench/sync_latency.py --server process --processes 2 --db postgresql+psycopg://...

With ``--processes 2`` terminal A talks to the first server process and B long-polls
the second, on one database: the message crosses processes (on PostgreSQL, through
``pg_notify``; on SQLite, through the once-a-second watcher).
"""

from __future__ import annotations

import argparse
import queue
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import percentile, start_site  # noqa: E402
from kiosk.domain.terminal import Terminal  # noqa: E402
from kiosk.storage import open_database, transaction  # noqa: E402
from kiosk.storage.outbox import Outbox  # noqa: E402
from kiosk.sync.client import ServerClient  # noqa: E402
from kiosk.sync.status import SyncState  # noqa: E402
from kiosk.sync.worker import SyncWorker  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--server", choices=["thread", "process"], default="thread",
                        help="server on a thread of this process (default) or in its own")
    parser.add_argument("--processes", type=int, default=1,
                        help="server processes on the database; B uses the last one")
    parser.add_argument("--db", default=None, metavar="URL",
                        help="an empty PostgreSQL database (default: a new SQLite file)")
    args = parser.parse_args(argv)
    site = start_site(args.server, db_url=args.db, processes=args.processes)
    url_a, url_b = site.servers[0].url, site.servers[-1].url
    token_a, token_b = site.enroll(2)
    path_a, path_b = site.folder / "a.sqlite3", site.folder / "b.sqlite3"
    Terminal.open(path_a).close()
    Terminal.open(path_b).close()
    online: queue.SimpleQueue = queue.SimpleQueue()
    arrived: queue.SimpleQueue = queue.SimpleQueue()
    worker_a = SyncWorker(path_a, lambda: ServerClient(url_a, token_a))
    worker_b = SyncWorker(
        path_b, lambda: ServerClient(url_b, token_b),
        on_status=lambda s: online.put(s) if s.state is SyncState.ONLINE else None,
        on_changes=lambda n: arrived.put(time.perf_counter()),
    )
    worker_a.start()
    worker_b.start()
    online.get(timeout=30)
    time.sleep(1.0)  # B has pulled the directory and is long-polling
    while not arrived.empty():
        arrived.get()
    db_a = open_database(path_a)
    outbox = Outbox(db_a)
    db_b = open_database(path_b)
    delays = []
    for n in range(args.messages):
        sent = time.perf_counter()
        with transaction(db_a) as conn:
            outbox.enqueue(conn, "message", {"sender_id": site.alice, "to_employees": [site.bob],
                                             "kind": "text", "body": f"Ping {n}"})
        worker_a.wake()
        while True:
            got = arrived.get(timeout=10)
            count = db_b.execute(
                "SELECT count(*) FROM message_recipients WHERE employee_id = ?", (site.bob,)
            ).fetchone()[0]
            if count == n + 1:
                delays.append(got - sent)
                break
        time.sleep(0.05)
    worker_a.stop()
    worker_b.stop()
    site.close()
    ms = [d * 1000 for d in delays]
    engine = "PostgreSQL" if args.db else "SQLite"
    print(f"terminal-to-terminal delivery: {len(ms)} messages, {args.processes} server "
          f"{'process' if args.server == 'process' else 'thread'}(es) on {engine}")
    print(f"  median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms (target p95 <= 1000 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
