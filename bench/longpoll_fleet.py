"""Benchmark: a fleet of long-polling terminals (target p95 delivery <= 1 s).

Enrolled terminals spread over ``--sites`` sites each hold a long-poll on
``/v1/pull`` (one connection per terminal), simulated by ``--clients`` processes
running asyncio + aiohttp (``bench/fleet_clients.py``), so that thousands of clients
do not share one interpreter. Each round, a sender terminal of one site pushes a
message to a worker of its site; we time, for every terminal of that site, from the
push until its pull returned the message. Sites take turns; p95 over all deliveries.

``--wake-all N``: N times, a directory change (an employee renamed, which every site
sees) is committed straight to the database, as the admin CLI does: every terminal's
long-poll wakes at once. Reported: how long until the last terminal got it, and errors.

The server runs as its own process (``python -m server serve``), as in production.
With ``--workers N`` it runs ``serve --workers N``; with ``--db`` on a fresh database
made on that PostgreSQL server (the URL names any database there, e.g. ``postgres``)
instead of a new SQLite file. ``--compare`` runs the SQLite / one-process case and the
``--db`` / ``--workers`` case one after the other, ``--repeat`` times, in one invocation.
Reports the server's open file descriptors and RSS (all its processes) and the load
average before and after each case.

    python bench/longpoll_fleet.py [--terminals 200] [--rounds 10]
    python bench/longpoll_fleet.py --terminals 5000 --sites 20 --clients 2 --workers 2 \\
        --wake-all 3 --db 'postgresql+psycopg://kiosk@/postgres?host=/tmp/pg&port=5432'
    python bench/longpoll_fleet.py --terminals 200 --compare --workers 2 --db URL
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fleet_clients import client_main, raise_open_file_limit  # noqa: E402
from bench.sync_site import BenchSite, fresh_pg_database, percentile, start_site  # noqa: E402
from server.repo import directory, groups, terminals  # noqa: E402


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid] + ([int(p) for p in children.read_text().split()] if children.exists() else [])


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process and its children so far (0 without one):
    a measure of the server's work that the machine's other load does not inflate much."""
    if pid is None:
        return 0.0
    total = 0
    for one in _tree(pid):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def server_footprint(pid: int) -> tuple[int, int]:
    """(open file descriptors, RSS in KiB) of a process and its children."""
    fds = rss = 0
    for one in _tree(pid):
        try:
            fds += len(list(Path(f"/proc/{one}/fd").iterdir()))
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
        except OSError:
            pass
    return fds, rss


@dataclass
class FleetSite:
    site: int
    alice: int
    bob: int
    sender: str = ""
    tokens: list[str] = field(default_factory=list)


def build_sites(bench: BenchSite, sites: int, terminals_count: int) -> list[FleetSite]:
    """The bench's site and ``sites - 1`` more, each with Alice and Bob, a sender
    terminal and its share of the terminals (enrolled straight in the database)."""
    out = [FleetSite(bench.site, bench.alice, bench.bob)]
    with bench.db.write() as conn:
        for n in range(1, sites):
            site = directory.create_site(conn, f"Fleet site {n}")
            alice = directory.create_employee(conn, f"Alice {n}", site)
            bob = directory.create_employee(conn, f"Bob {n}", site)
            groups.set_contacts(conn, alice, [bob], [])
            out.append(FleetSite(site, alice, bob))
    for n, fleet_site in enumerate(out):
        count = terminals_count // sites + (n < terminals_count % sites)
        with bench.db.write() as conn:
            tokens = []
            for k in range(count + 1):
                code = terminals.create_enrollment_code(conn, fleet_site.site,
                                                        timedelta(hours=1))[0]
                tokens.append(terminals.redeem_code(conn, code, f"T{n}.{k}")[1])
        fleet_site.sender, fleet_site.tokens = tokens[0], tokens[1:]
    return out


@dataclass
class Outcome:
    delays: list[float]
    missing: int
    wake_last: list[float]
    wake_delays: list[float]
    wake_missing: int
    errors: Counter[str]
    fds: int
    rss_kib: int
    cpu_rounds: float
    cpu_wake: float


def run_case(terminals_count: int, sites: int, rounds: int, clients: int, workers: int,
             db_url: str | None, wake_all: int, round_gap: float) -> Outcome:
    serve_args = ("--backlog", "8192")
    if workers > 1:
        serve_args += ("--workers", str(workers))
    bench = start_site("process", serve_args=serve_args, db_url=db_url)
    try:
        fleet = build_sites(bench, sites, terminals_count)
        # terminals dealt to the client processes in turn, so that each holds every site
        everyone = [t for s in fleet for t in s.tokens]
        context = multiprocessing.get_context("spawn")
        pipes, processes = [], []
        for c in range(clients):
            ours, theirs = context.Pipe()
            process = context.Process(target=client_main,
                                      args=(bench.server.url, everyone[c::clients], theirs))
            process.start()
            pipes.append(ours)
            processes.append(process)
        for pipe in pipes:
            assert pipe.recv()[0] == "ready"
        time.sleep(1.0)
        server_pid = getattr(getattr(bench.server, "process", None), "pid", None)
        cpu_start = cpu_seconds(server_pid)
        sent: dict[str, tuple[float, int]] = {}
        with httpx.Client(base_url=bench.server.url, timeout=30) as http:
            for n in range(rounds):
                target = fleet[n % len(fleet)]
                message_id = str(uuid.uuid4())
                started = time.monotonic()
                response = http.post("/v1/push", headers={
                    "Authorization": f"Bearer {target.sender}"}, json={"items": [{
                        "id": message_id, "seq": n, "kind": "message",
                        "payload": {"sender_id": target.alice, "to_employees": [target.bob],
                                    "kind": "text", "body": f"Round {n}"}}]})
                assert response.json()["results"][0]["status"] == "accepted", response.text
                sent[message_id] = (started, len(target.tokens))
                time.sleep(round_gap)
        cpu_rounds = cpu_seconds(server_pid) - cpu_start
        woken: dict[str, float] = {}
        for n in range(wake_all):
            name = f"Alice renamed {n} {uuid.uuid4().hex[:6]}"
            started = time.monotonic()
            with bench.db.write() as conn:
                directory.update_employee(conn, fleet[0].alice, name=name)
            woken[f"employee:{name}"] = started
            time.sleep(8.0)
        cpu_wake = cpu_seconds(server_pid) - cpu_start - cpu_rounds
        fds, rss = server_footprint(server_pid) if server_pid else (0, 0)
        arrivals: dict[str, list[float]] = {}
        errors: Counter[str] = Counter()
        for pipe in pipes:
            pipe.send("stop")
        for pipe, process in zip(pipes, processes, strict=True):
            _, theirs_arrivals, theirs_errors = pipe.recv()
            for key, times in theirs_arrivals.items():
                arrivals.setdefault(key, []).extend(times)
            errors.update(theirs_errors)
            process.join(30)
    finally:
        bench.close()
    delays, missing = [], 0
    for message_id, (started, expected) in sent.items():
        got = arrivals.get(message_id, [])
        missing += expected - len(got)
        delays += [t - started for t in got]
    wake_last, wake_delays, wake_missing = [], [], 0
    for key, started in woken.items():
        got = [t - started for t in arrivals.get(key, [])]
        wake_missing += terminals_count - len(got)
        wake_delays += got
        wake_last.append(max(got, default=float("nan")))
    return Outcome(delays, missing, wake_last, wake_delays, wake_missing, errors, fds, rss,
                   cpu_rounds, cpu_wake)


def report(label: str, outcome: Outcome, before: str, after: str) -> None:
    ms = [d * 1000 for d in outcome.delays]
    print(f"{label}: load average {before} -> {after}")
    if ms:
        print(f"  delivery: {len(ms)} deliveries, median {statistics.median(ms):.1f} ms, "
              f"p95 {percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms; "
              f"{outcome.missing} not delivered (target p95 <= 1000 ms)")
    if outcome.wake_last:
        wake_ms = [d * 1000 for d in outcome.wake_delays]
        lasts = ", ".join(f"{t:.2f}" for t in outcome.wake_last)
        print(f"  wake every terminal: last answer after {lasts} s; median "
              f"{statistics.median(wake_ms):.0f} ms, p95 {percentile(wake_ms, 95):.0f} ms; "
              f"{outcome.wake_missing} not answered (target: all within 5 s)")
    print(f"  server CPU: {outcome.cpu_rounds:.1f} s during the rounds, "
          f"{outcome.cpu_wake:.1f} s during the wake-alls (every process, user + system)")
    print(f"  client errors: {dict(outcome.errors) or 'none'}")
    print(f"  server: {outcome.fds} open file descriptors, RSS {outcome.rss_kib / 1024:.0f} MiB "
          f"(every process)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--sites", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--round-gap", type=float, default=2.0,
                        help="seconds between two rounds' pushes")
    parser.add_argument("--clients", type=int, default=0,
                        help="client processes (default: one per 2,500 terminals)")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers N")
    parser.add_argument("--db", default=None, metavar="URL",
                        help="a PostgreSQL server (any database on it): a fresh database "
                             "is made there for each case (default: a new SQLite file)")
    parser.add_argument("--wake-all", type=int, default=0, metavar="N",
                        help="N directory changes that wake every terminal at once")
    parser.add_argument("--compare", action="store_true",
                        help="SQLite with one process, then --db with --workers")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    raise_open_file_limit()
    clients = args.clients or max(1, -(-args.terminals // 2500))
    cases: list[tuple[str, str | None, int]] = []
    if args.compare:
        cases.append(("SQLite, 1 process", None, 1))
    if args.db or not args.compare:
        engine = "PostgreSQL" if args.db else "SQLite"
        cases.append((f"{engine}, {args.workers} process(es)", args.db, args.workers))
    print(f"long-poll fleet: {args.terminals} terminals of {args.sites} site(s), "
          f"{args.rounds} rounds, {clients} client process(es)")
    for repeat in range(args.repeat):
        for label, db, workers in cases:
            before = loadavg()
            if db:
                with fresh_pg_database(db) as url:
                    outcome = run_case(args.terminals, args.sites, args.rounds, clients,
                                       workers, url, args.wake_all, args.round_gap)
            else:
                outcome = run_case(args.terminals, args.sites, args.rounds, clients,
                                   workers, None, args.wake_all, args.round_gap)
            report(f"[{repeat + 1}] {label}", outcome, before, loadavg())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
