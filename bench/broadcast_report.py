"""The broadcast report at scale: a broadcast to 5,000 people on one site, half of them
having read it, a third acknowledged, and 20 punches each; the report's queries
(counts, and who has not read or acknowledged with their last punch on site since the
message was sent) timed in-process on SQLite: server time without HTTP or rendering.

Target (issue 12): ≤ 150 ms.

    python bench/broadcast_report.py [--people 5000] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, update  # noqa: E402

from server.actions import broadcasts  # noqa: E402
from server.db import Database, url_from_path  # noqa: E402
from server.db.schema import employees, message_recipients, punches  # noqa: E402
from server.db.types import utcnow  # noqa: E402
from server.repo import broadcast_reads, directory, terminals  # noqa: E402
from server.repo.audit import Actor  # noqa: E402


def fill(db: Database, count: int) -> str:
    with db.write() as conn:
        site = directory.create_site(conn, "Plant A", "Europe/Paris", "fr")
        hr = directory.create_employee(conn, "HR", site, role="hr")
        now = utcnow()
        conn.execute(insert(employees), [
            {"name": f"Worker {i:05d}", "search_name": f"worker {i:05d}", "site_id": site,
             "role": "worker", "language": "fr", "active": True, "moderated": False,
             "created_at": now} for i in range(count)])
        code, _ = terminals.create_enrollment_code(conn, site, timedelta(hours=1))
        gate = terminals.redeem_code(conn, code, "Gate")[0]
        message_id = broadcasts.send(conn, Actor("bench"), hr, "Read me", site_ids=[site],
                                     ack_required=True)
        people = [r.id for r in directory.list_employees(conn) if r.id != hr]
        for i, person in enumerate(people):
            if i % 2:
                conn.execute(update(message_recipients).where(
                    message_recipients.c.message_id == message_id,
                    message_recipients.c.employee_id == person).values(
                    delivered_at=now, read_at=now, acked_at=now if i % 3 == 1 else None))
        conn.execute(insert(punches), [
            {"id": str(uuid.uuid4()), "employee_id": person, "terminal_id": gate,
             "direction": "IN", "wall_time": "x", "wall_time_utc": now + timedelta(minutes=k),
             "monotonic_ns": 0, "boot_id": "b", "received_at": now}
            for person in people for k in range(-10, 10)])
    return message_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url_from_path(Path(tmp) / "report.db"))
        db.migrate()
        message_id = fill(db, a.people)
        times = []
        for _ in range(a.runs):
            began = time.perf_counter()
            with db.read() as conn:
                message = broadcast_reads.broadcast(conn, message_id)
                counts = broadcast_reads.counts(conn, message_id)
                missing = broadcast_reads.missing(conn, message_id, message.created_at)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        print(f"{counts.read} of {counts.total} read, {counts.acked} acknowledged; "
              f"{len(missing)} listed")
        print(f"median {statistics.median(times):.1f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms over {a.runs} runs")
        db.dispose()


if __name__ == "__main__":
    main()
