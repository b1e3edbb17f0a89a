"""The broadcast report at scale: a broadcast to 5,000 people on one site, half of them
having read it, a third acknowledged, and 20 punches each; the report's queries
(counts, and who has not read or acknowledged with their last punch on site since the
message was sent) timed in-process on SQLite: server time without HTTP or rendering.

Target (issue 12): ≤ 150 ms. The whole page over HTTP is timed last, as it opens (the
first 200 names) and with all 4,166 ("show all").

Each run also times the list's first query (one grouped pass over every recipient's
punches since sending, ``baseline_missing``) under the same load, for a ratio; runs
alternate between the two. The machine is shared: the load average is printed.

    python bench/broadcast_report.py [--people 5000] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import and_, func, insert, or_, select, update  # noqa: E402

from server.actions import broadcasts  # noqa: E402
from server.db import Database, url_from_path  # noqa: E402
from server.db.schema import (  # noqa: E402
    employees,
    message_recipients,
    punches,
    sites,
)
from server.db.schema import terminals as terminal_rows  # noqa: E402
from server.db.types import utcnow  # noqa: E402
from server.repo import accounts, broadcast_reads, directory, terminals  # noqa: E402
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


def baseline_missing(conn: Any, message_id: str, since: Any) -> list[Any]:
    """The list's query as first written: the last punch per (person, site) grouped
    over all the recipients' punches since sending."""
    r = message_recipients.c
    recipients = select(r.employee_id).where(r.message_id == message_id)
    last = (select(punches.c.employee_id, terminal_rows.c.site_id,
                   func.max(punches.c.wall_time_utc).label("last_punch"))
            .join(terminal_rows, terminal_rows.c.id == punches.c.terminal_id)
            .where(punches.c.employee_id.in_(recipients), punches.c.wall_time_utc >= since,
                   punches.c.voided_at.is_(None))
            .group_by(punches.c.employee_id, terminal_rows.c.site_id).subquery())
    query = (select(r.employee_id, r.delivered_at, r.read_at, r.acked_at,
                    employees.c.name, sites.c.name.label("site"), sites.c.timezone,
                    last.c.last_punch)
             .join(employees, employees.c.id == r.employee_id)
             .join(sites, sites.c.id == r.site_id)
             .outerjoin(last, and_(last.c.employee_id == r.employee_id,
                                   last.c.site_id == r.site_id))
             .where(r.message_id == message_id,
                    or_(r.acked_at.is_(None), r.read_at.is_(None)))
             .order_by(employees.c.search_name, r.employee_id))
    return list(conn.execute(query))


def report(db: Database, message_id: str, baseline: bool) -> tuple[float, Any, list[Any]]:
    """One report's queries: (milliseconds, counts, the missing list)."""
    began = time.perf_counter()
    with db.read() as conn:
        message = broadcast_reads.broadcast(conn, message_id)
        counts = broadcast_reads.counts(conn, message_id)
        missing = (baseline_missing if baseline else broadcast_reads.missing)(
            conn, message_id, message.created_at)
    return (time.perf_counter() - began) * 1000, counts, missing


def page_times(path: Path, message_id: str, runs: int) -> dict[str, list[float]]:
    """The whole report page over HTTP on loopback (queries, rows rendered, the session
    check), as HR's browser asks for it, with the first names (as it opens) and with
    all of them ("show all"): milliseconds per request."""
    import httpx

    from server.embedded import start_embedded_server
    from server.services.passwords import hash_password

    db = Database(url_from_path(path))
    with db.write() as conn:
        account = accounts.create_account(conn, "hr@example.org", "HR",
                                          hash_password("bench password 1"))
        accounts.set_roles(conn, account, [("hr_admin", None)])
    db.dispose()
    server = start_embedded_server(path)
    try:
        with httpx.Client(base_url=server.url, timeout=60,
                          headers={"Origin": server.url.rstrip("/")}) as c:
            assert c.post("/console/login", data={
                "email": "hr@example.org", "password": "bench password 1"}).status_code == 303
            times: dict[str, list[float]] = {"first names": [], "all names": []}
            for kind, query, shows in (("first names", "", "Worker 00000"),
                                       ("all names", "?all=1", "Worker 04998")):
                for _ in range(runs + 1):
                    began = time.perf_counter()
                    response = c.get(f"/console/broadcasts/{message_id}{query}")
                    times[kind].append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200 and shows in response.text
                times[kind] = sorted(times[kind][1:])  # the first warms the caches
            return times
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url_from_path(Path(tmp) / "report.db"))
        db.migrate()
        message_id = fill(db, a.people)
        times: dict[str, list[float]] = {"now": [], "baseline": []}
        loads = []
        for _ in range(a.runs):
            for kind in times:
                ms, counts, missing = report(db, message_id, kind == "baseline")
                times[kind].append(ms)
            loads.append(os.getloadavg()[0])
        _, _, first = report(db, message_id, True)
        _, counts, missing = report(db, message_id, False)
        assert [tuple(r) for r in first] == [tuple(r) for r in missing]  # the same list
        print(f"{counts.read} of {counts.total} read, {counts.acked} acknowledged; "
              f"{len(missing)} listed")
        for kind, values in times.items():
            values.sort()
            print(f"{kind:8s} median {statistics.median(values):.1f} ms, "
                  f"p95 {values[max(0, int(len(values) * 0.95) - 1)]:.1f} ms over {a.runs} runs")
        print(f"baseline / now (medians): "
              f"{statistics.median(times['baseline']) / statistics.median(times['now']):.1f}x; "
              f"load average {min(loads):.2f}-{max(loads):.2f}")
        db.dispose()
        for kind, pages in page_times(Path(tmp) / "report.db", message_id, a.runs).items():
            print(f"page, {kind}: median {statistics.median(pages):.1f} ms, "
                  f"p95 {pages[max(0, int(len(pages) * 0.95) - 1)]:.1f} ms over {a.runs} "
                  f"requests (HTTP on loopback); load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
