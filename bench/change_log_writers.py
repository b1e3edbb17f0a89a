"""Benchmark: concurrent writers of the change log on PostgreSQL, with and without the
table lock the log took before revision 0012.

``--writers`` threads, each with its own connection, write for one of ``--sites`` sites
(writer i for site i mod sites): each transaction records ``--rows`` change rows and
commits, as the end of a push does (the rows are inserted last, then the commit and its
fsync). In ``table-lock`` mode each transaction also takes ``LOCK TABLE changes IN SHARE
ROW EXCLUSIVE MODE`` where the old code took it (before inserting its rows), so the
baseline runs in the same process, on the same database, alternated with the current
per-site locks. Reports transactions per second and the p95 of a transaction's time.

    python bench/change_log_writers.py --db 'postgresql+psycopg://kiosk@/postgres?host=/tmp/pg'
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine  # noqa: E402

from bench.sync_site import fresh_pg_database, percentile  # noqa: E402
from server.db import Database  # noqa: E402
from server.repo import changes, directory  # noqa: E402

MODES = ("table-lock", "per-site")


def write_for(db: Database, site: int, mode: str, rows: int, until: float,
              times: list[float]) -> None:
    n = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        with db.write() as conn:
            if mode == "table-lock":
                conn.exec_driver_sql("LOCK TABLE changes IN SHARE ROW EXCLUSIVE MODE")
            changes.insert(conn, [row for k in range(rows)
                                  for row in changes.rows("employee", f"{n}.{k}", [site])])
        times.append(time.perf_counter() - started)
        n += 1


def run(db: Database, sites: list[int], writers: int, mode: str, rows: int,
        seconds: float) -> tuple[float, float, float]:
    per_writer: list[list[float]] = [[] for _ in range(writers)]
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=write_for, args=(db, sites[i % len(sites)], mode, rows,
                                                        until, per_writer[i]))
               for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = [t * 1000 for ts in per_writer for t in ts]
    return len(times) / seconds, statistics.median(times), percentile(times, 95)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, metavar="URL",
                        help="a PostgreSQL server (any database on it); a fresh database "
                             "is made there")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--sites", type=int, default=16)
    parser.add_argument("--rows", type=int, default=2, help="change rows per transaction")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with fresh_pg_database(args.db) as url:
        db = Database(url)
        db.migrate()
        with db.write() as conn:
            sites = [directory.create_site(conn, f"Site {n}") for n in range(args.sites)]
        db.dispose()
        # one connection per writer: the pool's default (5 + 10) would queue them
        db.engine = create_engine(url, pool_size=args.writers, hide_parameters=True)
        print(f"{args.writers} writers, {args.sites} sites, {args.rows} rows per transaction, "
              f"{args.seconds:.0f} s per case")
        for n in range(args.repeat):
            for mode in MODES:
                load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
                rate, median, p95 = run(db, sites, args.writers, mode, args.rows, args.seconds)
                print(f"[{n + 1}] {mode:10s} {rate:7.0f} transactions/s, median {median:6.1f} ms, "
                      f"p95 {p95:6.1f} ms  (load average {load})")
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
