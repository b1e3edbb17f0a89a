"""The terminal trades its token for a fresh one daily, saving it before using it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.sync.client import ServerClient
from kiosk.sync.credentials import Enrollment, load_enrollment, save_enrollment
from kiosk.sync.tokens import RETRY_AFTER_FAILURE, ROTATE_EVERY, TokenKeeper
from kiosk.sync.worker import SyncWorker
from server.db import Database
from server.db.schema import terminals
from server.embedded import EmbeddedServer
from server.repo.terminals import hash_secret
from tests.support.fault_proxy import FaultProxy
from tests.support.sync_checks import port_of


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _enrollment(server: EmbeddedServer, token: str, issued_at: str | None) -> Enrollment:
    return Enrollment(server.url, token, 1, {"id": 1}, token_issued_at=issued_at)


def _server_token_hash(server_db: Database) -> str:
    with server_db.read() as conn:
        return conn.execute(select(terminals.c.token_hash)).scalar_one()


def test_the_sync_worker_rotates_a_token_of_unknown_age_and_keeps_syncing(
        server: EmbeddedServer, server_db: Database, token: str, data_dir: Path,
        terminal_path: Path) -> None:
    save_enrollment(data_dir, _enrollment(server, token, None))
    keeper = TokenKeeper(data_dir, load_enrollment(data_dir))
    worker = SyncWorker(terminal_path, lambda: ServerClient(server.url, keeper.token),
                        tokens=keeper)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while load_enrollment(data_dir).token == token and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    saved = load_enrollment(data_dir)
    assert saved.token != token and saved.token_issued_at is not None
    assert _server_token_hash(server_db) == hash_secret(saved.token)
    assert keeper.token() == saved.token


def test_a_fresh_token_is_not_rotated_before_a_day(
        server: EmbeddedServer, token: str, data_dir: Path) -> None:
    clock = Clock()
    keeper = TokenKeeper(data_dir, _enrollment(server, token, clock.now.isoformat()), clock)
    clock.now += ROTATE_EVERY - timedelta(minutes=1)
    assert not keeper.due()
    clock.now += timedelta(minutes=2)
    assert keeper.due()


def test_the_new_token_is_saved_before_it_is_used(
        server: EmbeddedServer, token: str, data_dir: Path) -> None:
    clock = Clock()
    keeper = TokenKeeper(data_dir, _enrollment(server, token, None), clock)
    client = ServerClient(server.url, keeper.token)
    assert keeper.rotate(client)
    assert load_enrollment(data_dir).token == keeper.token() != token
    assert client.info()["supported_versions"] == [1]
    client.pull(None)  # the new token is the one sent


def test_a_token_that_cannot_be_saved_is_not_used(
        server: EmbeddedServer, token: str, tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    keeper = TokenKeeper(blocked, _enrollment(server, token, None), Clock())
    assert not keeper.rotate(ServerClient(server.url, keeper.token))
    assert keeper.token() == token
    ServerClient(server.url, keeper.token).pull(None)  # still within its grace period


def test_a_rotation_that_gets_no_answer_is_tried_again_an_hour_later(
        server: EmbeddedServer, token: str, data_dir: Path) -> None:
    clock = Clock()
    proxy = FaultProxy(port_of(server), mode="html403")
    try:
        keeper = TokenKeeper(data_dir, _enrollment(server, token, None), clock)
        assert not keeper.rotate(ServerClient(proxy.url, keeper.token))
    finally:
        proxy.close()
    assert keeper.token() == token and not keeper.due()
    clock.now += RETRY_AFTER_FAILURE
    assert keeper.due()
