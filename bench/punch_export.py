"""The console's punch CSV export at scale: 1,000,000 punches streamed to CSV the way
`/console/punches.csv` does (``punch_reads.stream_raw`` -> ``punch_csv.lines``), on SQLite.

The database is filled by a child process; the export runs in a fresh process so its
peak RSS (``ru_maxrss``) is measured against its own baseline after imports and an
open connection.

Targets (issue 12): ≥ 100,000 rows/s; peak RSS growth ≤ 50 MiB.

    python bench/punch_export.py [--punches 1000000] [--db PATH] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from server.db import Database, url_from_path  # noqa: E402
from server.db.schema import punches  # noqa: E402
from server.repo import directory, punch_reads, terminals  # noqa: E402
from server.services import punch_csv  # noqa: E402

BATCH = 20_000


def fill(path: Path, count: int) -> None:
    db = Database(url_from_path(path))
    db.migrate()
    with db.write() as conn:
        site = directory.create_site(conn, "Plant A", "Europe/Paris", "fr")
        people = [directory.create_employee(conn, f"Worker {i:03d}", site) for i in range(200)]
        code, _ = terminals.create_enrollment_code(conn, site, timedelta(hours=1))
        gate = terminals.redeem_code(conn, code, "Gate")[0]
    start = datetime(2026, 1, 1, 6, tzinfo=UTC)
    for first in range(0, count, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, count)):
            at = start + timedelta(minutes=i)
            rows.append({"id": str(uuid.uuid4()), "employee_id": people[i % len(people)],
                         "terminal_id": gate, "direction": "IN" if i % 2 else "OUT",
                         "wall_time": at.isoformat(), "wall_time_utc": at,
                         "monotonic_ns": i, "boot_id": "b", "received_at": at,
                         "voided_at": None, "void_item_id": None, "void_reason": None})
        with db.write() as conn:
            conn.execute(insert(punches), rows)
    db.dispose()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(path: Path) -> dict[str, float]:
    db = Database(url_from_path(path))
    with db.read() as conn:
        sites = {row.id: row.timezone for row in directory.list_sites(conn)}
    f = punch_reads.PunchFilters(sites)
    baseline = rss_mib()
    rows = size = 0
    began = time.perf_counter()
    with db.read() as conn:
        for chunk in punch_csv.lines(punch_reads.stream_raw(conn, f)):
            size += len(chunk)
            rows += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    db.dispose()
    return {"rows": rows - 1, "seconds": seconds, "rows_per_s": (rows - 1) / seconds,
            "mib": size / 2**20, "rss_growth_mib": rss_mib() - baseline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--punches", type=int, default=1_000_000)
    parser.add_argument("--db", help="an existing filled database (else a temporary one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child-export", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child_export:
        print(json.dumps(export(Path(a.child_export))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(a.db) if a.db else Path(tmp) / "punches.db"
        if not a.db:
            began = time.perf_counter()
            fill(path, a.punches)
            print(f"filled {a.punches:,} punches in {time.perf_counter() - began:.1f} s")
        results = []
        for _ in range(a.runs):
            out = subprocess.run([sys.executable, __file__, "--child-export", str(path)],
                                 check=True, capture_output=True, text=True).stdout
            results.append(json.loads(out))
            r = results[-1]
            print(f"{r['rows']:,} rows in {r['seconds']:.2f} s: {r['rows_per_s']:,.0f} rows/s, "
                  f"{r['mib']:.0f} MiB of CSV, peak RSS growth {r['rss_growth_mib']:.1f} MiB")
        print(f"median {statistics.median(r['rows_per_s'] for r in results):,.0f} rows/s; "
              f"max RSS growth {max(r['rss_growth_mib'] for r in results):.1f} MiB")


if __name__ == "__main__":
    main()
