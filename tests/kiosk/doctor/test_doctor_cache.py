"""kiosk doctor says what state the message cache is in, never its key."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import pytest

from kiosk.doctor.checkup import format_report
from kiosk.doctor.server import check_server
from kiosk.settings.config import Config
from kiosk.storage import open_database
from kiosk.sync.client import ServerClient
from kiosk.sync.credentials import Enrollment
from kiosk.sync.enrollment import enroll_terminal
from kiosk.sync.signing import RequestSigner, load_key
from server.db import Database
from server.embedded import EmbeddedServer
from server.repo import terminals


@pytest.fixture
def enrolled(make_config: Callable[..., Config], server: EmbeddedServer,
             make_code: Callable[..., str]) -> tuple[Config, Enrollment]:
    config = make_config()
    return config, enroll_terminal(config.data_dir, server.url, make_code(), "Gate 2")


def _cache_check(config: Config):
    [check] = [c for c in check_server(config, timeout_s=3.0).checks if c.name == "cache"]
    return check


def _server_key(config: Config, enrollment: Enrollment) -> bytes:
    client = ServerClient(enrollment.server_url, enrollment.token,
                          RequestSigner(load_key(config.data_dir)))
    try:
        return client.cache_key()
    finally:
        client.close()


def test_a_terminal_that_never_started_has_no_key_in_use_yet(enrolled):
    check = _cache_check(enrolled[0])
    assert check.ok and "no key used yet" in check.summary


def test_a_cache_the_servers_key_opens_is_unlocked_and_the_key_is_not_shown(enrolled):
    config, enrollment = enrolled
    key = _server_key(config, enrollment)
    open_database(config.database_path, key).conn.close()
    check = _cache_check(config)
    assert check.ok and "unlocked" in check.summary
    report = format_report(check_server(config, timeout_s=3.0).checks)
    assert key.hex() not in report and key.hex().upper() not in report


def test_a_cache_under_another_key_is_said_to_be_dropped_at_the_next_start(enrolled):
    config, _ = enrolled
    open_database(config.database_path, os.urandom(32)).conn.close()
    check = _cache_check(config)
    assert check.severity == "warning" and "does not open" in check.summary


def test_a_revoked_terminal_is_refused_its_key(enrolled, server_db: Database):
    config, enrollment = enrolled
    with server_db.write() as conn:
        terminals.revoke(conn, enrollment.terminal_id)
    check = _cache_check(config)
    assert check.severity == "error" and "refused" in check.summary


def test_without_the_server_the_cache_is_locked(enrolled, closed_port: int):
    config, _ = enrolled
    offline = dataclasses.replace(config, values={
        **config.values, "server.url": f"http://127.0.0.1:{closed_port}"})
    check = _cache_check(offline)
    assert check.severity == "warning" and "locked" in check.summary
