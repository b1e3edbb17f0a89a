"""Retention by the server's clock: the runtime prunes at this terminal's time plus the
offset the sync measured, and not at all while the clock warning is on.

A real runtime and core worker on a real database; the sync's status is what the sync
worker would have reported (``SyncHistory.record``).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.app.runtime import PRUNE_RETRY_S, TerminalRuntime
from kiosk.demo.prepare import demo_config
from kiosk.domain.attachments import AttachmentStore
from kiosk.domain.messages import IncomingMessage, MessageStore
from kiosk.domain.terminal import Terminal
from kiosk.storage import transaction
from kiosk.sync.status import SyncState, SyncStatus, server_offset

YEAR = timedelta(days=365)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def runtime(tmp_path: Path):
    made: list[TerminalRuntime] = []

    def make(**config: object) -> TerminalRuntime:
        settings = demo_config(tmp_path).with_values(**config)
        checked = threading.Event()
        rt = TerminalRuntime(settings, view=None, deliver=lambda call: call(),
                             on_storage_status=lambda status: checked.set())
        rt.worker.start()
        rt.started = True
        made.append(rt)
        rt.check_storage()  # pruning waits for the page check, as at start
        assert checked.wait(10)
        return rt

    yield make
    for rt in made:
        rt.worker.stop()


def deliver(rt: TerminalRuntime, message_id: str, created: datetime,
            expires: datetime | None = None, picture: bytes | None = None) -> None:
    term = Terminal.open(rt.config.database_path)
    try:
        with transaction(term.db) as conn:
            MessageStore.put(conn, [IncomingMessage(
                id=message_id, sender_name="RH", body="x", created_at=created, recipients=(1,),
                expires_at=expires)])
            if picture is not None:
                sha = AttachmentStore.put(conn, picture, "image/png")
                conn.execute("UPDATE messages SET attachment_sha256 = ? WHERE id = ?",
                             (sha, message_id))
    finally:
        term.close()


def prune(rt: TerminalRuntime, status: SyncStatus) -> None:
    """What the sync reported, then one prune, waited for on the core worker."""
    rt.sync_history.record(status)
    rt.prune_expired()
    done = threading.Event()
    rt.worker.submit(lambda _terminal: None, lambda _: done.set())
    assert done.wait(10)


def kept(rt: TerminalRuntime) -> dict[str, bool]:
    """Each test message still on disk: whether it still has its picture."""
    term = Terminal.open(rt.config.database_path)
    try:
        rows = term.db.execute("SELECT id, attachment_sha256 IS NOT NULL FROM messages "
                               "WHERE sender_name = 'RH'").fetchall()
        return {row[0]: bool(row[1]) for row in rows}
    finally:
        term.close()


def online(offset: timedelta) -> SyncStatus:
    return SyncStatus(SyncState.ONLINE, clock_offset_s=offset.total_seconds())


def a_year_of_clock_drift(rt: TerminalRuntime) -> None:
    """Messages dated by the server, a year before this terminal's (wrong) clock: one
    with a picture, two days old; one shown until tomorrow."""
    server_now = datetime.now(UTC) - YEAR
    deliver(rt, "photo", server_now - timedelta(days=2), picture=PNG)
    deliver(rt, "notice", server_now - timedelta(days=2), server_now + timedelta(days=1))


def test_a_clock_a_year_ahead_of_the_server_deletes_no_picture_and_no_message(runtime):
    rt = runtime()
    a_year_of_clock_drift(rt)
    prune(rt, online(-YEAR))
    assert kept(rt) == {"photo": True, "notice": False}


def test_the_same_messages_on_a_terminal_without_a_server_go_by_its_own_clock(runtime):
    rt = runtime()
    a_year_of_clock_drift(rt)
    prune(rt, SyncStatus(SyncState.DISABLED, "offline-only terminal"))
    assert kept(rt) == {"photo": False}


def test_an_expiry_is_judged_by_the_servers_clock(runtime):
    rt = runtime(server__clock_warning_s=86400)  # a 2 h offset warns nobody here
    now = datetime.now(UTC)
    deliver(rt, "due_for_the_server", now - YEAR, now - timedelta(hours=3))
    deliver(rt, "due_only_here", now - YEAR, now - timedelta(hours=1))
    prune(rt, online(-timedelta(hours=2)))  # the server is 2 h behind this terminal
    assert kept(rt) == {"due_only_here": False}


def test_nothing_is_pruned_before_the_sync_measured_the_clock(runtime):
    rt = runtime()
    a_year_of_clock_drift(rt)
    prune(rt, SyncStatus(SyncState.CONNECTING))
    assert kept(rt) == {"photo": True, "notice": False}


@pytest.mark.parametrize(("status", "offset"), [
    (None, None),
    (SyncStatus(SyncState.CONNECTING), None),
    (SyncStatus(SyncState.OFFLINE, clock_offset_s=120.0), None),
    (SyncStatus(SyncState.ONLINE, clock_offset_s=-30.0), -30.0),
    (SyncStatus(SyncState.DISABLED), 0.0),
    (SyncStatus(SyncState.NOT_ENROLLED), None),  # enrolled before, maybe: wait
])
def test_the_offset_to_prune_by(status, offset):
    assert server_offset(status, clock_warning_s=60) == offset


def test_a_clock_set_a_year_ahead_after_the_offset_was_measured_prunes_nothing(runtime):
    """Offline since: the offset measured before the jump no longer holds."""
    rt = runtime()
    a_year_of_clock_drift(rt)
    measured_before_the_jump = (time.time() - YEAR.total_seconds(), time.monotonic())
    prune(rt, SyncStatus(SyncState.OFFLINE, clock_offset_s=0.5,
                         clock_measured_at=measured_before_the_jump))
    assert kept(rt) == {"photo": True, "notice": False}


def test_a_held_prune_is_tried_again_within_a_minute(runtime):
    rt = runtime()
    a_year_of_clock_drift(rt)
    prune(rt, SyncStatus(SyncState.CONNECTING))
    rt.sync_history.record(SyncStatus(SyncState.DISABLED))  # now its clock is all there is
    rt.prune_if_due(time.monotonic() + PRUNE_RETRY_S + 1)
    done = threading.Event()
    rt.worker.submit(lambda _terminal: None, lambda _: done.set())
    assert done.wait(10)
    assert kept(rt) == {"photo": False}
