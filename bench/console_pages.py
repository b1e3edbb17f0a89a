"""HR console pages at company scale: 10,000 employees on 100 sites, 1,000 pending
messages. Measures, against `python -m server serve` in its own process:

- people search and the moderation queue: request time on loopback (first byte sent to
  last byte read, so server time plus a loopback round trip), p95 of N requests each,
  as an HR admin (every site) and as a site manager (one site);
- a full page load in Chromium (Playwright, /usr/bin/chromium): the Navigation Timing
  entry's responseStart -> loadEventEnd ("first byte to load event"), p95.

Targets (issue 11): ≤ 100 ms p95 server time; ≤ 500 ms p95 page load.

    python bench/console_pages.py [--requests 200] [--loads 40]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import start_server_process  # noqa: E402
from server.actions import accounts as account_actions  # noqa: E402
from server.db import Database, url_from_path  # noqa: E402
from server.repo import directory, groups, messages  # noqa: E402
from server.repo.audit import Actor  # noqa: E402

PASSWORD = "benchmark password"
FIRST = ["Amélie", "Karim", "Zoé", "Lucas", "Fatou", "Jean", "Marie", "Ali", "Chloé", "Hugo",
         "Inès", "Noah", "Léa", "Omar", "Sofia", "Yanis", "Emma", "Adam", "Jade", "Louis"]
LAST = ["Durand", "Benali", "O'Brien", "Martin", "Diop", "Côté", "Nguyen", "Moreau",
        "Lefèvre", "Garcia", "Rossi", "Dubois", "Haddad", "Lambert", "Fontaine", "Roux"]


def seed(db: Database, sites: int, employees: int, pending: int) -> dict[str, int]:
    rng = random.Random(11)
    with db.write() as conn:
        site_ids = [directory.create_site(conn, f"Site {n:03d}", "Europe/Paris", "fr")
                    for n in range(sites)]
        people = []
        for n in range(employees):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}"
            site = site_ids[n % sites]
            employee = directory.create_employee(conn, name, site,
                                                 moderated=n % 10 == 0)
            directory.add_badge(conn, employee, f"0F{n:08X}")
            people.append((employee, site))
        line = groups.create_group(conn, "Line 3", moderated=True)
        for employee, _site in people[:50]:
            groups.set_member(conn, line, employee, can_post=True)
        for n in range(pending):
            sender, site = people[(n * 7) % len(people)]
            to, to_site = people[(n * 7 + 1) % len(people)]
            message_id = str(uuid.uuid4())
            messages.insert_message(conn, {
                "id": message_id, "thread_id": message_id, "reply_to": None,
                "sender_id": sender, "origin_terminal_id": None, "kind": "text",
                "body": f"Message {n}: can we swap shifts on Friday?",
                "attachment_sha256": None, "drawing": None, "to_employees": [to],
                "to_groups": [], "ack_required": False, "expires_at": None,
                "written_at": None, "status": "pending"}, {to: to_site}, {site})
        bench = Actor("bench")
        account_actions.create_account(conn, bench, "admin@bench.org", "Admin", PASSWORD,
                                       [("hr_admin", None)])
        account_actions.create_account(conn, bench, "manager@bench.org", "Manager", PASSWORD,
                                       [("site_manager", site_ids[0])])
    return {"site": site_ids[0]}


def login(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30, headers={"Origin": url})
    response = client.post("/console/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def timed_requests(client: httpx.Client, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label:58s} p95 {p95(times):7.1f} ms  median {statistics.median(times):6.1f} ms"
          f"  (n={len(times)})")


def page_loads(url: str, paths: list[str], loads: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             headless=True)
        page = browser.new_page(base_url=url)
        page.goto("/console/login")
        page.fill("#email", "admin@bench.org")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("h1")
        for path in paths:
            results[path] = []
            for _ in range(loads):
                page.goto(path, wait_until="load")
                results[path].append(page.evaluate(
                    "() => { const t = performance.getEntriesByType('navigation')[0];"
                    " return t.loadEventEnd - t.responseStart; }"))
        browser.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--pending", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--loads", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="console-bench-"))
    db_path = folder / "bench.db"
    db = Database(url_from_path(db_path))
    db.migrate()
    started = time.perf_counter()
    ids = seed(db, args.sites, args.employees, args.pending)
    print(f"seeded {args.employees} employees, {args.sites} sites, {args.pending} pending "
          f"in {time.perf_counter() - started:.1f} s")
    server = start_server_process(db_path)
    try:
        rng = random.Random(5)
        words = [rng.choice(FIRST + LAST)[:4].lower() for _ in range(args.requests)]
        badges = [f"0F{rng.randrange(args.employees):08X}"[:7] for _ in range(args.requests)]
        for email, who in (("admin@bench.org", "HR admin, every site"),
                           ("manager@bench.org", "site manager, 1 site")):
            client = login(server.url, email)
            timed_requests(client, ["/console/people"] * 5)  # warm up
            report(f"people search by name ({who})",
                   timed_requests(client, [f"/console/people?q={w}" for w in words]))
            report(f"people search by badge prefix ({who})",
                   timed_requests(client, [f"/console/people?q={b}" for b in badges]))
            report(f"people list, page 20 ({who})",
                   timed_requests(client, ["/console/people?page=20"] * (args.requests // 4)))
            report(f"moderation queue, first page ({who})",
                   timed_requests(client, ["/console/moderation"] * args.requests))
            report(f"moderation queue, page 30 ({who})",
                   timed_requests(client, ["/console/moderation?page=30"] * (args.requests // 4)))
            client.close()
        loads = page_loads(server.url, ["/console/people?q=mar", "/console/moderation",
                                        f"/console/people/{ids['site']}"], args.loads)
        for path, times in loads.items():
            report(f"Chromium first byte -> load event {path}", times)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
