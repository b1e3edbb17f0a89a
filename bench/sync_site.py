"""A real server on loopback with a site, workers and enrolled terminals, for the benchmarks."""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from server.db import Database, url_from_path
from server.embedded import EmbeddedServer, start_embedded_server
from server.repo import directory, groups, terminals
from sync.client import ServerClient


@dataclass
class BenchSite:
    server: EmbeddedServer
    db: Database
    site: int
    alice: int
    bob: int
    folder: Path
    tokens: list[str] = field(default_factory=list)

    def enroll(self, count: int) -> list[str]:
        client = ServerClient(self.server.url)
        try:
            for n in range(count):
                with self.db.write() as conn:
                    code = terminals.create_enrollment_code(conn, self.site, timedelta(hours=1))[0]
                self.tokens.append(client.enroll(code, f"bench terminal {n}")["token"])
        finally:
            client.close()
        return self.tokens[-count:]

    def close(self) -> None:
        self.server.stop()
        self.db.dispose()


def start_site() -> BenchSite:
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    path = folder / "server.db"
    server = start_embedded_server(path, "127.0.0.1", 0)
    db = Database(url_from_path(path))
    with db.write() as conn:
        site = directory.create_site(conn, "Bench plant", "Europe/Paris", "fr")
        alice = directory.create_employee(conn, "Alice Bench", site)
        bob = directory.create_employee(conn, "Bob Bench", site)
        groups.set_contacts(conn, alice, [bob], [])
        groups.set_contacts(conn, bob, [alice], [])
    return BenchSite(server, db, site, alice, bob, folder)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]
