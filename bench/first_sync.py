"""Benchmark: a new terminal's first sync of a big site, before and after compaction.

A site with 2,000 employees (each with a badge and a contact list), 50,000 live
messages, and a history of HR work (every employee renamed ``--churn`` times, each
contact list set again).  A new terminal pulls everything from cursor zero over HTTP,
page by page, as the sync worker does; then the change log is compacted
(``server.services.compaction``) and another new terminal does the same.  Reports the
time, the number of pull requests, the bytes of JSON and the bytes on the wire (pull
pages are gzipped), median of ``--runs`` pulls each.  With ``--apply`` each page is
also stored as the terminal's sync worker does (one transaction a page, in an
encrypted message cache), so the time is a whole first sync.  Target: ≤ 10 s after
compaction.

    python bench/first_sync.py [--employees 2000] [--messages 50000] [--churn 3] [--runs 3]
                               [--apply]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import start_site  # noqa: E402
from server.repo import directory, groups  # noqa: E402
from server.repo import messages as message_repo  # noqa: E402
from server.services.compaction import compact  # noqa: E402


def seed(site, employees: int, messages: int, churn: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    db = site.db
    with db.write() as conn:
        ids = [directory.create_employee(conn, f"Employee {n}", site.site)
               for n in range(employees)]
        for n, employee in enumerate(ids):
            directory.add_badge(conn, employee, f"{0x0A00000000 + n:010X}")
    for start in range(0, len(ids), 500):
        with db.write() as conn:
            for employee in ids[start:start + 500]:
                groups.set_contacts(conn, employee, rng.sample(ids, 10), [])
    for start in range(0, messages, 1000):
        with db.write() as conn:
            for _ in range(min(1000, messages - start)):
                sender, *to = rng.sample(ids, 3)
                message_id = str(uuid.uuid4())
                message_repo.insert_message(conn, {
                    "id": message_id, "thread_id": message_id, "reply_to": None,
                    "sender_id": sender, "origin_terminal_id": None, "kind": "text",
                    "body": "Réunion sécurité à 14 h, salle B. Merci d'être à l'heure.",
                    "attachment_sha256": None, "drawing": None, "to_employees": to,
                    "to_groups": [], "ack_required": False, "expires_at": None,
                    "written_at": None, "status": "approved", "reply_allowed": True,
                }, {e: site.site for e in to}, {site.site})
    for round_ in range(churn):
        for start in range(0, len(ids), 500):
            with db.write() as conn:
                for employee in ids[start:start + 500]:
                    directory.update_employee(conn, employee, name=f"Employee {employee}.{round_}")
                    groups.set_contacts(conn, employee, rng.sample(ids, 10), [])


def _terminal_store():  # type: ignore[no-untyped-def]
    """A new terminal's database, its message cache encrypted (as enrolled)."""
    from kiosk.storage import open_database

    return open_database(Path(tempfile.mkdtemp(prefix="kiosk-first-sync-")) / "t.db",
                         cache_key=os.urandom(32))


def _store_page(db, body: dict) -> None:  # type: ignore[no-untyped-def]
    """What kiosk.sync.worker does with a pulled page."""
    from kiosk.domain.badge_keys import refresh_badge_keys
    from kiosk.storage import transaction
    from kiosk.sync.apply import apply_changes, drop_directory, save_cursor

    with transaction(db) as conn:
        if body["reset"]:
            drop_directory(conn)
        apply_changes(conn, body["changes"])
        refresh_badge_keys(conn)
        save_cursor(conn, body["cursor"])


def first_sync(url: str, token: str, apply: bool) -> tuple[float, int, int, int]:
    """(seconds, requests, JSON bytes, wire bytes) of pulling everything from cursor
    zero (and storing it, with ``apply``)."""
    client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                          timeout=60)
    store = _terminal_store() if apply else None
    started, requests, received, wire, cursor = time.perf_counter(), 0, 0, 0, None
    while True:
        answer = client.get("/v1/pull", params={"cursor": cursor} if cursor else {})
        answer.raise_for_status()
        requests += 1
        received += len(answer.content)
        wire += answer.num_bytes_downloaded
        body = answer.json()
        if store is not None:
            _store_page(store, body)
        cursor = body["cursor"]
        if not body["more"]:
            break
    client.close()
    seconds = time.perf_counter() - started
    if store is not None:
        set_aside = store.execute("SELECT count(*) FROM pull_quarantine").fetchone()[0]
        if set_aside:
            print(f"warning: the terminal set aside {set_aside} changes")
        store.close()
    return seconds, requests, received, wire


def measure(site, runs: int, apply: bool) -> tuple[float, float, int, int, int]:  # type: ignore[no-untyped-def]
    results = [first_sync(site.server.url, token, apply) for token in site.enroll(runs)]
    times = [r[0] for r in results]
    return (statistics.median(times), max(times), results[0][1], results[0][2],
            results[0][3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--churn", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", choices=["thread", "process"], default="process")
    parser.add_argument("--apply", action="store_true",
                        help="store each page in a terminal database too (a whole first sync)")
    args = parser.parse_args()
    site = start_site(args.server)
    try:
        seeded = time.perf_counter()
        seed(site, args.employees, args.messages, args.churn)
        print(f"seeded in {time.perf_counter() - seeded:.0f} s")
        before = measure(site, args.runs, args.apply)
        dropped = compact(site.db)
        after = measure(site, args.runs, args.apply)
    finally:
        site.close()
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
    for label, (median, worst, requests, received, wire) in (("before compaction", before),
                                                             ("after compaction", after)):
        print(f"{label}: median {median:.2f} s (max {worst:.2f} s of {args.runs}), "
              f"{requests} pulls, {received / 2**20:.1f} MiB of JSON, "
              f"{wire / 2**20:.1f} MiB on the wire")
    print(f"compaction dropped {dropped} rows (target after: <= 10 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
