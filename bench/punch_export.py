"""The console's punch CSV export at scale: 1,000,000 punches streamed to CSV the way
`/console/punches.csv` does (``punch_reads.stream_raw`` -> ``punch_csv.lines``), on SQLite.

The database is filled by a child process; the export runs in a fresh process so its
peak RSS (``ru_maxrss``) is measured against its own baseline after imports and an
open connection.

Targets (issue 12): ≥ 100,000 rows/s; peak RSS growth ≤ 50 MiB.

Each run also times, in the same process kind, the export as it was first written
(SQLAlchemy rows with their type processing, one ``astimezone`` + ``strftime`` per row:
``baseline_lines``) for a ratio measured under the same load; and both rows per wall
second and per CPU second of the process (the machine is shared: wall time counts the
other jobs' share of the cores, CPU time does not).

    python bench/punch_export.py [--punches 1000000] [--db PATH] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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


def baseline_lines(rows: Any) -> Iterator[bytes]:
    """The first version of ``punch_csv.lines``, per row (for the ratio only)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(punch_csv.HEADER)
    zones: dict[str, ZoneInfo] = {}
    for count, row in enumerate(rows, 1):
        zone = zones.setdefault(row.timezone, ZoneInfo(row.timezone))
        local = row.wall_time_utc.astimezone(zone)
        writer.writerow((punch_csv.safe(row.employee), row.employee_id, punch_csv.safe(row.site),
                         punch_csv.safe(row.terminal), row.direction,
                         local.strftime("%Y-%m-%d %H:%M:%S"), row.timezone,
                         row.wall_time_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         row.received_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "yes" if row.voided_at else "", punch_csv.safe(row.void_reason)))
        if count % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(path: Path, baseline: bool = False) -> dict[str, float]:
    db = Database(url_from_path(path))
    with db.read() as conn:
        sites = {row.id: row.timezone for row in directory.list_sites(conn)}
    f = punch_reads.PunchFilters(sites)
    rss_before = rss_mib()
    rows = size = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    with db.read() as conn:
        chunks = (baseline_lines(punch_reads.stream(conn, f)) if baseline
                  else punch_csv.lines(punch_reads.stream_raw(conn, f)))
        for chunk in chunks:
            size += len(chunk)
            rows += chunk.count(b"\n")
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    growth = rss_mib() - rss_before
    db.dispose()
    return {"rows": rows - 1, "seconds": seconds, "rows_per_s": (rows - 1) / seconds,
            "rows_per_cpu_s": (rows - 1) / cpu, "mib": size / 2**20,
            "rss_growth_mib": growth, "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--punches", type=int, default=1_000_000)
    parser.add_argument("--db", help="an existing filled database (else a temporary one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the first version's runs (they take a few times longer)")
    parser.add_argument("--child-export", help=argparse.SUPPRESS)
    parser.add_argument("--child-baseline", action="store_true", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child_export:
        print(json.dumps(export(Path(a.child_export), a.child_baseline)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(a.db) if a.db else Path(tmp) / "punches.db"
        if not a.db:
            began = time.perf_counter()
            fill(path, a.punches)
            print(f"filled {a.punches:,} punches in {time.perf_counter() - began:.1f} s")
        kinds = ("now",) if a.no_baseline else ("now", "baseline")
        results: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
        for _ in range(a.runs):
            for kind in kinds:  # alternated, so both see the same load
                out = subprocess.run(
                    [sys.executable, __file__, "--child-export", str(path),
                     *(["--child-baseline"] if kind == "baseline" else [])],
                    check=True, capture_output=True, text=True).stdout
                r = json.loads(out)
                results[kind].append(r)
                print(f"{kind:8s} {r['rows']:,} rows in {r['seconds']:.2f} s: "
                      f"{r['rows_per_s']:,.0f} rows/s ({r['rows_per_cpu_s']:,.0f} per CPU s), "
                      f"{r['mib']:.0f} MiB of CSV, peak RSS growth "
                      f"{r['rss_growth_mib']:.1f} MiB, load {r['load']:.2f}")
        for kind, runs in results.items():
            print(f"{kind}: median {statistics.median(r['rows_per_s'] for r in runs):,.0f} "
                  f"rows/s, {statistics.median(r['rows_per_cpu_s'] for r in runs):,.0f} per "
                  f"CPU s; max RSS growth {max(r['rss_growth_mib'] for r in runs):.1f} MiB")
        if "baseline" in results:
            ratio = statistics.median(r["rows_per_cpu_s"] for r in results["now"]) / \
                statistics.median(r["rows_per_cpu_s"] for r in results["baseline"])
            print(f"now / baseline (per CPU s): {ratio:.1f}x")

if __name__ == "__main__":
    main()
