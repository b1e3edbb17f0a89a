"""The console's fleet page with 5,000 terminals (500 sites of 10), against
`python -m server serve` in its own process. Request time on loopback (first byte sent to
last byte read: server time plus a loopback round trip), p95 of N requests each:

- HR admin (every site): the page as it opens (all 500 sites summed up, every terminal's
  warnings computed, the first 20 sites' terminals listed), the sites needing attention
  only, and the last page;
- site IT of one site (10 terminals);
- baseline, interleaved with the first case: the site settings list, another page of
  the same frame listing the 500 sites (one settings query per site), to show how
  loaded the machine was during the run.

About 1 in 10 terminals needs attention (offline, old outbox, clock off, reader
unplugged or disk low); 1 in 50 is revoked. Target (issue 12): ≤ 200 ms p95.

    python bench/fleet_page.py [--sites 500] [--per-site 10] [--requests 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import start_server_process  # noqa: E402
from server.actions import accounts as account_actions  # noqa: E402
from server.console.demo_fleet import plant_terminal  # noqa: E402
from server.db import Database, url_from_path  # noqa: E402
from server.db.types import utcnow  # noqa: E402
from server.repo import directory, terminals  # noqa: E402
from server.repo.audit import Actor  # noqa: E402

PASSWORD = "benchmark password"
TROUBLES = [
    {"seen_ago": timedelta(days=2), "reported_ago": timedelta(days=2)},
    {"outbox": {"depth": 30, "oldest_age_s": 7200.0, "rejected": 0}},
    {"clock_offset_s": -400.0},
    {"reader": {"state": "disconnected", "accepted": 5, "repeats": 0, "rejected": 1}},
    {"disk_free_bytes": 100 * 2**20},
]


def seed(db: Database, sites: int, per_site: int) -> int:
    rng = random.Random(12)
    now = utcnow()
    with db.write() as conn:
        site_ids = [directory.create_site(conn, f"Site {n:03d}", "Europe/Paris", "fr")
                    for n in range(sites)]
        for site in site_ids:
            for n in range(per_site):
                trouble = rng.choice(TROUBLES) if rng.random() < 0.1 else {}
                terminal = plant_terminal(conn, site, f"Terminal {n + 1:02d}", now=now,
                                          **trouble)
                if rng.random() < 0.02:
                    terminals.revoke(conn, terminal)
        bench = Actor("bench")
        account_actions.create_account(conn, bench, "admin@bench.org", "Admin", PASSWORD,
                                       [("hr_admin", None)])
        account_actions.create_account(conn, bench, "it@bench.org", "Site IT", PASSWORD,
                                       [("site_it", site_ids[0])])
    return sites * per_site


def login(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30, headers={"Origin": url})
    response = client.post("/console/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def report(label: str, times: list[float]) -> None:
    print(f"{label:52s} p95 {p95(times):7.1f} ms  median {statistics.median(times):6.1f} ms"
          f"  (n={len(times)})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--per-site", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    db_path = Path(tempfile.mkdtemp(prefix="fleet-bench-")) / "bench.db"
    db = Database(url_from_path(db_path))
    db.migrate()
    started = time.perf_counter()
    count = seed(db, args.sites, args.per_site)
    db.dispose()
    print(f"seeded {count} terminals on {args.sites} sites in "
          f"{time.perf_counter() - started:.1f} s; load average {_load()}", flush=True)
    server = start_server_process(db_path)
    try:
        admin = login(server.url, "admin@bench.org")
        for _ in range(5):  # warm up
            timed(admin, "/console/fleet")
        fleet, baseline = [], []
        for _ in range(args.requests):  # interleaved: both see the same machine
            fleet.append(timed(admin, "/console/fleet"))
            baseline.append(timed(admin, "/console/settings"))
        report("fleet, HR admin, 5,000 terminals (first page)", fleet)
        report("baseline: site settings list, HR admin", baseline)
        ratio = statistics.median(fleet) / statistics.median(baseline)
        print(f"{'':52s} ratio of medians {ratio:.2f}")
        last = (args.sites + 19) // 20
        report("fleet, HR admin, needing attention only",
               [timed(admin, "/console/fleet?attention=1") for _ in range(args.requests // 2)])
        report(f"fleet, HR admin, last page ({last})",
               [timed(admin, f"/console/fleet?page={last}") for _ in range(args.requests // 4)])
        admin.close()
        site_it = login(server.url, "it@bench.org")
        report("fleet, site IT of one site (10 terminals)",
               [timed(site_it, "/console/fleet") for _ in range(args.requests)])
        site_it.close()
        print(f"load average at the end {_load()}")
    finally:
        server.stop()
    return 0


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
