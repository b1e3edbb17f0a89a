"""The change log under concurrent writers: a pull never misses a committed change and
never repeats one, and writers of different sites never wait on one another; cursors
given before the upgrade that removed the table lock keep their meaning.

Writers are threads, each with its own connection, recording changes for several sites
and for every site; readers pull with their cursors while they write. The window between
a transaction taking its place in the log and its commit is widened with a pause in the
same place a slow commit would take (a ``BEFORE_COMMIT`` hook after the log's own).
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from server.db import Database, url_from_path
from server.db.engine import BEFORE_COMMIT
from server.repo import changes, directory
from server.services import pull as pull_service

SITES = 4
WRITERS = 8
TRANSACTIONS_PER_WRITER = 25
READERS_PER_SITE = 2
PAGE = 7  # small pages: readers follow ``more`` across many cursors
FIRST_ID = 10_000_000  # change ids name employees that do not exist: pull says "delete"


@pytest.fixture
def log_db(db_path: Path | str) -> Iterator[tuple[Database, list[int]]]:
    database = Database(url_from_path(db_path))
    database.migrate()
    with database.write() as conn:
        sites = [directory.create_site(conn, f"Plant {n}") for n in range(SITES)]
    yield database, sites
    database.dispose()


def _pause_before_commit(conn: Any, seconds: float) -> None:
    """Hold the transaction between taking its place in the log and committing."""
    hooks = conn.info[BEFORE_COMMIT]
    hooks["test_pause"] = lambda _conn: threading.Event().wait(seconds)


class Ledger:
    """What the writers committed (and rolled back), per site; None: every site."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.committed: dict[int | None, set[int]] = {}
        self.rolled_back: set[int] = set()
        self.ids = itertools.count(FIRST_ID)

    def expected(self, site: int) -> set[int]:
        return self.committed.get(site, set()) | self.committed.get(None, set())


def _writer(db: Database, sites: list[int], ledger: Ledger, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(TRANSACTIONS_PER_WRITER):
        site = None if rng.random() < 0.15 else rng.choice(sites)
        ids = [next(ledger.ids) for _ in range(rng.randint(1, 3))]
        fail = rng.random() < 0.1
        try:
            with db.write() as conn:
                for change_id in ids:
                    changes.record(conn, "employee", change_id, [site])
                _pause_before_commit(conn, rng.uniform(0, 0.01))
                if fail:
                    raise RuntimeError("rolled back on purpose")
        except RuntimeError:
            with ledger.lock:
                ledger.rolled_back.update(ids)
            continue
        with ledger.lock:
            ledger.committed.setdefault(site, set()).update(ids)


def _pull(db: Database, site: int, cursor: str | None) -> dict[str, Any]:
    with db.read() as conn:
        return pull_service.pull(conn, site, cursor, page_size=PAGE)


def _reader(db: Database, site: int, writing: threading.Event, seen: list[int]) -> None:
    cursor = None
    while True:
        # Read before the pull: a pull that began while the last writer was committing
        # may rightly not see its change yet; only one begun after the writers were done
        # must have seen everything.
        writers_done = not writing.is_set()
        body = _pull(db, site, cursor)
        seen += [c["id"] for c in body["changes"] if c.get("entity") == "employee"]
        cursor = body["cursor"]
        if body["more"]:
            continue
        if writers_done:
            return  # the writers were done before this pull began: it saw everything
        threading.Event().wait(0.002)


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()


def test_concurrent_readers_receive_every_committed_change_exactly_once(
    log_db: tuple[Database, list[int]],
) -> None:
    db, sites = log_db
    ledger = Ledger()
    writing = threading.Event()
    writing.set()
    readers: dict[tuple[int, int], list[int]] = {
        (site, n): [] for site in sites for n in range(READERS_PER_SITE)}
    reader_threads = [threading.Thread(target=_reader, args=(db, site, writing, seen))
                      for (site, _), seen in readers.items()]
    writer_threads = [threading.Thread(target=_writer, args=(db, sites, ledger, seed))
                      for seed in range(WRITERS)]
    for thread in reader_threads:
        thread.start()
    _run(writer_threads)
    writing.clear()
    for thread in reader_threads:
        thread.join(timeout=60)
        assert not thread.is_alive()

    for (site, _), seen in readers.items():
        assert len(seen) == len(set(seen)), "a change was delivered twice"
        assert set(seen) == ledger.expected(site), "a committed change was missed"
    assert ledger.rolled_back  # the run did roll some back, and nobody saw them


def _holding_site(db: Database, site: int) -> tuple[threading.Thread, threading.Event]:
    """A writer of ``site`` that has taken its place and waits to commit."""
    placed, release = threading.Event(), threading.Event()

    def write() -> None:
        with db.write() as conn:
            changes.record(conn, "employee", FIRST_ID, [site])

            def hold(_conn: Any) -> None:
                placed.set()
                release.wait(10)
            conn.info[BEFORE_COMMIT]["test_hold"] = hold

    thread = threading.Thread(target=write)
    thread.start()
    assert placed.wait(10)
    return thread, release


def _write_within(db: Database, timeout: str, site: int | None) -> Callable[[], None]:
    def write() -> None:
        with db.write() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = '{timeout}'"))
            changes.record(conn, "employee", FIRST_ID + 1, [site])
    return write


@pytest.mark.parametrize("db_path", ["postgresql"], indirect=True)
def test_writers_of_different_sites_do_not_wait_on_each_other(
    log_db: tuple[Database, list[int]],
) -> None:
    db, (site_a, site_b, *_) = log_db
    thread, release = _holding_site(db, site_a)
    try:
        _write_within(db, "5s", site_b)()  # commits while site A's writer holds its place
        for blocked in (site_a, None):  # same site, or every site: waits its turn
            with pytest.raises(OperationalError, match="lock timeout"):
                _write_within(db, "200ms", blocked)()
    finally:
        release.set()
        thread.join(10)
    with db.read() as conn:
        placed = {c["id"] for c in pull_service.pull(conn, site_a, None)["changes"]
                  if c.get("entity") == "employee"}
    assert placed == {FIRST_ID}  # the held writer committed once released


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = (url_from_path(tmp_path / "old.db") if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    database = Database(url)
    yield database
    database.dispose()


def test_cursors_from_before_the_upgrade_keep_their_meaning(unmigrated: Database) -> None:
    """Rows logged under the table lock take their id as place: a terminal's cursor (the
    newest id it saw) still names the same point in the log, and no reset is needed."""
    from alembic import command
    from sqlalchemy import column, insert, table

    from server.db.migrations import alembic_config, migration_connection

    with migration_connection(unmigrated.engine) as conn:
        command.upgrade(alembic_config(conn), "0006")
    old_log = table("changes", column("site_id"), column("entity"), column("entity_id"),
                    column("created_at"))
    with unmigrated.engine.begin() as conn:
        conn.execute(insert(old_log), [
            {"site_id": None, "entity": "employee", "entity_id": str(FIRST_ID + n),
             "created_at": datetime.now(UTC)} for n in range(3)])
    unmigrated.migrate()
    with unmigrated.write() as conn:
        changes.record(conn, "employee", FIRST_ID + 3)
        site = directory.create_site(conn, "Plant A")
    with unmigrated.read() as conn:
        epoch = changes.epoch(conn)
        seen_two = pull_service.encode_cursor(epoch, 2)  # an old server's cursor: id 2
        body = pull_service.pull(conn, site, seen_two)
    assert not body["reset"]
    assert [c["id"] for c in body["changes"] if c.get("entity") == "employee"] == [
        FIRST_ID + 2, FIRST_ID + 3]
