"""Benchmark: 1,000 queued text messages drained to the local server (target: <= 2 s).

Each run: a fresh server and terminal database; 1,000 messages committed to the
outbox while offline; then the sync worker starts and we time until the server
has accepted all of them. Median of several runs.

    python bench/sync_drain.py [--runs 5] [--items 1000] [--server thread|process]

By default the server runs on a thread of this process (``server.embedded``, as
in the terminal demo), sharing its interpreter lock with the sync worker.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import ServerMode, start_site  # noqa: E402
from kiosk.domain.terminal import Terminal  # noqa: E402
from kiosk.storage import transaction  # noqa: E402
from kiosk.storage.outbox import Outbox  # noqa: E402
from kiosk.sync.client import ServerClient  # noqa: E402
from kiosk.sync.status import SyncState  # noqa: E402
from kiosk.sync.worker import SyncWorker  # noqa: E402


def one_run(items: int, mode: ServerMode = "thread") -> float:
    site = start_site(mode)
    [token] = site.enroll(1)
    path = site.folder / "terminal.sqlite3"
    term = Terminal.open(path)
    outbox = Outbox(term.db)
    with transaction(term.db) as conn:
        for n in range(items):
            outbox.enqueue(conn, "message", {"sender_id": site.alice, "to_employees": [site.bob],
                                             "kind": "text", "body": f"Message {n}"})
    term.close()
    done = threading.Event()

    def on_status(status) -> None:
        if status.state is SyncState.ONLINE and status.outbox_depth == 0:
            done.set()

    worker = SyncWorker(path, lambda: ServerClient(site.server.url, token), on_status)
    started = time.perf_counter()
    worker.start()
    if not done.wait(120):
        raise SystemExit("outbox did not drain in 120 s")
    elapsed = time.perf_counter() - started
    worker.stop()
    site.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--server", choices=["thread", "process"], default="thread",
                        help="server on a thread of this process (default) or in its own")
    args = parser.parse_args(argv)
    times = [one_run(args.items, args.server) for _ in range(args.runs)]
    print(f"outbox drain: {args.items} text messages, {args.runs} runs, "
          f"server in a {args.server}")
    print("  runs (s): " + ", ".join(f"{t:.3f}" for t in times))
    print(f"  median: {statistics.median(times):.3f} s (target <= 2 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
