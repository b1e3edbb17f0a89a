"""Benchmark: a new terminal's first sync of a big site, before and after compaction.

A site with 2,000 employees (each with a badge and a contact list), 50,000 live
messages, and a history of HR work (every employee renamed ``--churn`` times, each
contact list set again).  A new terminal pulls everything from cursor zero over HTTP,
page by page, as the sync worker does; then the change log is compacted
(``server.services.compaction``) and another new terminal does the same.  Reports the
time, the number of pull requests, the bytes of JSON and the bytes on the wire (pull
pages are gzipped), median of ``--runs`` pulls each.  With ``--apply``, after
compaction only, a whole first sync by the terminal's own code: its client, the next
page fetched while one is stored and the pages fetched stored together for 0.1 s at most
a transaction (``kiosk.sync.prefetch``), in an encrypted message cache, then the badge map a locked
terminal punches with (``hash_new_badges``), timed apart.  Target: ≤ 10 s after
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
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import percentile, start_site  # noqa: E402
from server.repo import directory, groups  # noqa: E402
from server.repo import messages as message_repo  # noqa: E402
from server.services.compaction import compact  # noqa: E402

PUNCH_EVERY_S = 0.25


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
    """A new terminal's database, its message cache encrypted (as enrolled); and its key."""
    from kiosk.storage import open_database

    key = os.urandom(32)
    path = Path(tempfile.mkdtemp(prefix="kiosk-first-sync-")) / "t.db"
    return open_database(path, cache_key=key), path, key


def _core_writes(path: Path, key: bytes, stop: threading.Event, waits: list[float]) -> None:
    """The core worker's side meanwhile: a write transaction every ``PUNCH_EVERY_S`` on a
    connection of its own (a punch takes the same locks: a queue at the clock at shift
    change), each one's time kept."""
    from kiosk.storage import open_database, transaction

    db = open_database(path, cache_key=key)
    while not stop.wait(PUNCH_EVERY_S):
        started = time.perf_counter()
        with transaction(db) as conn:
            conn.execute("INSERT INTO main.sync_state (key, value) VALUES ('bench', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (str(started),))
        waits.append(time.perf_counter() - started)
    db.close()


def terminal_first_sync(url: str, token: str) -> tuple[float, float, int, list[float]]:
    """(seconds until every page is stored, seconds more for the badge map of a locked
    terminal, transactions, the core's write times meanwhile) of a new terminal's first
    sync, done by its own code: the sync worker's pull loop (``kiosk.sync.worker``)
    without its thread and status."""
    from kiosk.domain.badge_keys import hash_new_badges
    from kiosk.storage.cache import release_page_cache, widen_page_cache
    from kiosk.sync.client import ServerClient
    from kiosk.sync.prefetch import PagePrefetch, pull_page, store_fetched

    client = ServerClient(url, token)
    prefetch = PagePrefetch(client)
    store, path, key = _terminal_store()
    widen_page_cache(store)  # as the sync worker's puller does
    stop, waits = threading.Event(), []
    core = threading.Thread(target=_core_writes, args=(path, key, stop, waits))
    core.start()
    started, cursor, transactions = time.perf_counter(), None, 0
    while True:
        page = prefetch.take(cursor) or pull_page(client, cursor, 0)
        page, _stored = store_fetched(store, page, prefetch)
        cursor, transactions = page.result.cursor, transactions + 1
        if not page.result.more:
            break
    stored = time.perf_counter()
    release_page_cache(store)
    stop.set()
    core.join()
    hash_new_badges(store)
    hashed = time.perf_counter()
    prefetch.drop()
    client.close()
    set_aside = store.execute("SELECT count(*) FROM pull_quarantine").fetchone()[0]
    if set_aside:
        print(f"warning: the terminal set aside {set_aside} changes")
    store.close()
    return stored - started, hashed - stored, transactions, waits


def first_sync(url: str, token: str) -> tuple[float, int, int, int]:
    """(seconds, requests, JSON bytes, wire bytes) of pulling everything from cursor
    zero, the answers read and dropped (the server's part of a first sync)."""
    client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                          timeout=60)
    started, requests, received, wire, cursor = time.perf_counter(), 0, 0, 0, None
    while True:
        answer = client.get("/v1/pull", params={"cursor": cursor} if cursor else {})
        answer.raise_for_status()
        requests += 1
        received += len(answer.content)
        wire += answer.num_bytes_downloaded
        body = answer.json()
        cursor = body["cursor"]
        if not body["more"]:
            break
    client.close()
    return time.perf_counter() - started, requests, received, wire


def measure(site, runs: int) -> tuple[float, float, int, int, int]:  # type: ignore[no-untyped-def]
    results = [first_sync(site.server.url, token) for token in site.enroll(runs)]
    times = [r[0] for r in results]
    return (statistics.median(times), max(times), results[0][1], results[0][2],
            results[0][3])


def measure_terminal(site, runs: int) -> None:  # type: ignore[no-untyped-def]
    results = [terminal_first_sync(site.server.url, token) for token in site.enroll(runs)]
    stored = sorted(r[0] for r in results)
    hashing = sorted(r[1] for r in results)
    waits = [w * 1000 for r in results for w in r[3]]
    print(f"a terminal's whole first sync (its own code, encrypted cache): every page "
          f"stored in median {statistics.median(stored):.2f} s (max {stored[-1]:.2f} s of "
          f"{runs}, in {results[0][2]} transactions); then the locked terminal's badge map "
          f"{statistics.median(hashing):.2f} s more (target: pages stored <= 10 s)")
    print(f"the core's write transactions meanwhile ({len(waits)}, one every "
          f"{PUNCH_EVERY_S} s): median {statistics.median(waits):.1f} ms, "
          f"p95 {percentile(waits, 95):.1f} ms, max {max(waits):.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--churn", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", choices=["thread", "process"], default="process")
    parser.add_argument("--batch-s", type=float, default=None, metavar="S",
                        help="with --apply: kiosk.sync.prefetch.BATCH_S for this run "
                             "(0: one page a transaction)")
    parser.add_argument("--apply", action="store_true",
                        help="a terminal's whole first sync after compaction, by its own "
                             "code: pages fetched and stored (encrypted cache)")
    args = parser.parse_args()
    if args.batch_s is not None:
        from kiosk.sync import prefetch

        prefetch.BATCH_S = args.batch_s
    site = start_site(args.server)
    try:
        seeded = time.perf_counter()
        seed(site, args.employees, args.messages, args.churn)
        print(f"seeded in {time.perf_counter() - seeded:.0f} s")
        before = measure(site, args.runs) if not args.apply else None
        compacting = time.perf_counter()
        dropped = compact(site.db)
        print(f"compaction dropped {dropped} rows in {time.perf_counter() - compacting:.0f} s")
        load = open("/proc/loadavg").read().split()[:3]
        if args.apply:
            measure_terminal(site, args.runs)
        else:
            after = measure(site, args.runs)
    finally:
        site.close()
    print(f"load average before the pulls: {load}, after: "
          f"{open('/proc/loadavg').read().split()[:3]}")
    if not args.apply:
        for label, (median, worst, requests, received, wire) in (
                ("before compaction", before), ("after compaction", after)):
            print(f"{label}: median {median:.2f} s (max {worst:.2f} s of {args.runs}), "
                  f"{requests} pulls, {received / 2**20:.1f} MiB of JSON, "
                  f"{wire / 2**20:.1f} MiB on the wire (target after: <= 10 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
