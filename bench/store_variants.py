"""Run a terminal benchmark on the plain store and on the encrypted message cache, in
one run (the same machine, the same load), and print both and their ratio.

The encrypted variant moves the demo's cache into ``kiosk-cache.sqlite3`` under a fixed
key before the app starts, then gives the key to the core worker, as the sync does after
fetching it (``CoreWorker.unlock``). Each variant runs in its own process: Kivy starts
once per process.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH_KEY = bytes(range(32))  # a fixed key: for benchmarks only, never a terminal's
RESULT = re.compile(r"^RESULT p95_ms=([0-9.]+)$", re.M)


def encrypt_store(db_path: Path) -> None:
    """Move the message cache of the store at ``db_path`` to its encrypted file."""
    from kiosk.storage import open_database

    db = open_database(db_path, BENCH_KEY)
    try:  # the statistics ANALYZE gathered stayed with the plain store: gather the cache's
        db.execute("ANALYZE cache")
    finally:
        db.conn.close()


def unlock(harness: Any) -> None:
    """Give the running app's core worker the key, and wait until it reopened with it."""
    worker = harness.shell.runtime.worker
    reopened: list[bool] = []
    worker.cache_key = BENCH_KEY
    worker.reopen(reopened.append)
    harness.wait_until(lambda: bool(reopened), 10, "the core worker to reopen with the key")
    if reopened[0]:
        raise RuntimeError("the message cache is still locked")


def parse_store_args(parser: argparse.ArgumentParser,
                     argv: list[str] | None) -> argparse.Namespace:
    """The benchmark's arguments, with ``--store`` and ``--rounds`` (for ``both``)."""
    parser.add_argument("--store", choices=("plain", "encrypted", "both"), default="plain",
                        help="the message cache in the plain store, in its encrypted file, "
                             "or both, one after the other (bench/store_variants.py)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --store both: plain then encrypted, this many times")
    return parser.parse_args(argv)


def run_both(script: Path, argv: list[str] | None) -> int:
    """``script --store plain`` then ``--store encrypted``, alternated ``--rounds`` times;
    each output, then the ratio of the median of each store's round p95s."""
    argv = list(sys.argv[1:] if argv is None else argv)
    rounds = 1
    for flag in ("--store", "--rounds"):  # each with its value
        if flag in argv:
            at = argv.index(flag)
            if flag == "--rounds":
                rounds = int(argv[at + 1])
            argv = argv[:at] + argv[at + 2:]
    found: dict[str, list[float]] = {"plain": [], "encrypted": []}
    for _ in range(rounds):
        for store in ("plain", "encrypted"):
            out = subprocess.run([sys.executable, str(script), "--store", store, *argv],
                                 capture_output=True, text=True, check=True).stdout
            print(f"--- {store} store")
            print(RESULT.sub("", out).strip())
            found[store] += [float(v) for v in RESULT.findall(out)]
    # The median of the rounds' p95s: one lucky or unlucky round (they differ by a third
    # on a quiet machine) decides a "best of N" ratio, not the store.
    plain, encrypted = statistics.median(found["plain"]), statistics.median(found["encrypted"])
    print(f"p95, median of {rounds} rounds: plain {plain:.1f} ms, encrypted "
          f"{encrypted:.1f} ms, ratio {encrypted / plain:.2f}x (target <= 1.1x); best of "
          f"each: {min(found['plain']):.1f} vs {min(found['encrypted']):.1f} ms, "
          f"{min(found['encrypted']) / min(found['plain']):.2f}x")
    return 0
