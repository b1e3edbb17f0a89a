"""Benchmark: the core calls under the two screens of the ≤ 1.1× targets, without the
rendering: ``Terminal.present_badge`` (the punch and the welcome's unread count) and
``Terminal.inbox`` (first page of 10,000 messages), on the plain store and on the
encrypted cache, in one process, rounds alternated.

The end-to-end scripts (``badge_to_welcome.py``, ``inbox_open.py``) include a frame
rendered in software; on a loaded machine their rounds vary by 2-3×, store aside. These
calls are what the store changes.

    python bench/store_core.py [--calls 200] [--rounds 5] [--messages 10000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.inbox_open import seed_inbox  # noqa: E402
from bench.store_variants import BENCH_KEY, encrypt_store  # noqa: E402
from bench.sync_site import percentile  # noqa: E402
from kiosk.demo.company import DEMO_WORKERS, seed_demo  # noqa: E402
from kiosk.domain.terminal import Terminal  # noqa: E402
from kiosk.storage import open_database  # noqa: E402


def _store(folder: Path, messages: int) -> Path:
    path = folder / "kiosk.sqlite3"
    db = open_database(path)
    seed_demo(db)
    db.conn.close()
    seed_inbox(path, DEMO_WORKERS[0].employee.id, messages)
    return path


def _time(call, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    plain = _store(root / "plain", args.messages)
    encrypted = _store(root / "encrypted", args.messages)
    encrypt_store(encrypted)
    terminals = {"plain": Terminal.open(plain), "encrypted": Terminal.open(encrypted, BENCH_KEY)}
    worker = DEMO_WORKERS[0]
    results: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(args.rounds):
            for store, terminal in terminals.items():
                results.setdefault(("badge", store), []).extend(
                    _time(lambda t=terminal: t.present_badge(worker.badge), args.calls))
                results.setdefault(("inbox", store), []).extend(
                    _time(lambda t=terminal: t.inbox(worker.employee.id), args.calls))
    finally:
        for terminal in terminals.values():
            terminal.close()
        shutil.rmtree(root, ignore_errors=True)
    print(f"{args.rounds} rounds of {args.calls} calls, {args.messages} messages; "
          "median / p95 ms")
    for call in ("badge", "inbox"):
        p, e = results[(call, "plain")], results[(call, "encrypted")]
        print(f"  {call}: plain {statistics.median(p):.2f} / {percentile(p, 95):.2f}, "
              f"encrypted {statistics.median(e):.2f} / {percentile(e, 95):.2f}; "
              f"ratio median {statistics.median(e) / statistics.median(p):.2f}x, "
              f"p95 {percentile(e, 95) / percentile(p, 95):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
