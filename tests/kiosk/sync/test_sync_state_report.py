"""The sync worker sends the terminal's state report to the real server at start, with
its outbox, reader and disk figures; a failed report never holds back a push."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk import __version__
from kiosk.domain.terminal import Terminal
from kiosk.sync.client import ServerClient
from kiosk.sync.state_report import ReaderFigures, StateReports
from kiosk.sync.status import SyncState, SyncStatus
from kiosk.sync.worker import SyncWorker
from server.db import Database
from server.db.types import utcnow
from server.embedded import EmbeddedServer
from server.repo import fleet
from tests.support.sync_checks import punch_offline


def _reported(server_db: Database, timeout: float = 10.0):  # noqa: ANN202 - a Row
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with server_db.read() as conn:
            row = fleet.fleet(conn, None, utcnow())[0]
        if row.received_at is not None:
            return row
        time.sleep(0.05)
    raise AssertionError("no state report reached the server")


def test_the_sync_worker_reports_the_terminals_state_to_the_server_at_start(
        server: EmbeddedServer, server_db: Database, token: str, terminal_path: Path,
        site) -> None:  # noqa: ANN001 - the conftest's Site
    punch_offline(terminal_path, site.alice, 2)  # in the outbox when the worker starts
    reports = StateReports(terminal_path.parent,
                           lambda: ReaderFigures("disconnected", 7, 2, 1))
    worker = SyncWorker(terminal_path, lambda: ServerClient(server.url, token),
                        reports=reports)
    worker.start()
    try:
        row = _reported(server_db)
    finally:
        worker.stop()
    assert row.app_version == __version__
    assert row.outbox_depth == 2 and row.outbox_oldest_at is not None
    assert (row.reader_state, row.reader_accepted, row.reader_repeats,
            row.reader_rejected) == ("disconnected", 7, 2, 1)
    assert row.disk_free_bytes > 0 and row.disk_total_bytes >= row.disk_free_bytes
    assert row.reader_down and reports.sent == 1


def test_a_refused_report_is_sent_again_five_minutes_later(
        server: EmbeddedServer, token: str, terminal_path: Path) -> None:
    class Refusing:
        def report_state(self, report: dict) -> float:
            from kiosk.sync.errors import RequestRefused
            raise RequestRefused("not_found", "no such route", 404)

    now = [100.0]
    reports = StateReports(terminal_path.parent, clock=lambda: now[0])
    client = ServerClient(server.url, token)
    terminal = Terminal.open(terminal_path)
    try:
        assert reports.due()
        assert not reports.send(Refusing(), terminal.db.conn, SyncStatus(SyncState.ONLINE))
        assert not reports.due()
        now[0] += 301
        assert reports.due() and reports.send(client, terminal.db.conn,
                                              SyncStatus(SyncState.ONLINE))
    finally:
        terminal.close()
        client.close()
