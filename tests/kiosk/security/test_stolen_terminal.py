"""The thief's view: a demo terminal that ran and synced, then only its data folder."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from kiosk.demo.company import DEMO_MESSAGES, DEMO_PICTURE_MESSAGES, DEMO_WORKERS
from kiosk.storage.cache import cache_path
from kiosk.sync.client import ServerClient
from kiosk.sync.credentials import load_enrollment
from kiosk.sync.errors import NotEnrolled
from kiosk.sync.signing import RequestSigner, new_key
from server.repo import terminals
from tests.support.file_modes import modes_not_private
from tests.support.stolen_rig import DemoSite, has_messages, running, synced_site


@pytest.fixture(scope="module")
def stolen() -> Iterator[DemoSite]:
    """A terminal of the demo company that synced its directory and messages, punched,
    and was stopped (unscrewed from the wall)."""
    records, root = _Records(), logging.getLogger()
    level = root.level
    root.addHandler(records)
    root.setLevel(logging.DEBUG)  # every line the terminal and the server would log
    try:
        with synced_site() as site:
            with running(site.config()) as terminal:
                terminal.wait_core(has_messages)
                terminal.present(DEMO_WORKERS[0].badge)  # a punch in the outbox too
            site.logs = records.lines  # type: ignore[attr-defined]
            yield site
    finally:
        root.removeHandler(records)
        root.setLevel(level)


class _Records(logging.Handler):
    """Every log line of the run, formatted, arguments and tracebacks included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter().format(record))


def _cache_key(site: DemoSite) -> bytes:
    with site.server.db.read() as conn:
        [row] = terminals.list_terminals(conn)
    return bytes(row.cache_key)


def _secrets() -> list[str]:
    bodies = [m[4] for m in DEMO_MESSAGES] + [m[4] for m in DEMO_PICTURE_MESSAGES]
    return bodies + [w.badge for w in DEMO_WORKERS]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_no_message_body_or_badge_id_is_in_clear_in_any_file(stolen):
    found = []
    for path in _files(stolen.terminal_dir):
        data = path.read_bytes()
        for secret in _secrets():
            for encoding in ("utf-8", "utf-16-le"):
                if secret.encode(encoding) in data:
                    found.append((path.name, secret[:12]))
    assert found == []


def test_the_cache_does_not_open_without_its_key(stolen):
    path = cache_path(stolen.terminal_dir / "kiosk.sqlite3")
    assert path.stat().st_size > 0
    for module in (sqlcipher, sqlite3):
        conn = module.connect(str(path))
        try:
            with pytest.raises(module.DatabaseError):
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()


def test_the_data_folder_is_private(stolen):
    assert modes_not_private(stolen.terminal_dir) == []


def test_the_token_replayed_from_another_machine_is_refused(stolen):
    enrollment = load_enrollment(stolen.terminal_dir)
    thief = ServerClient(stolen.url, enrollment.token)  # the token, not the signing key
    try:
        with pytest.raises(NotEnrolled, match="sign"):
            thief.pull(None)
        with pytest.raises(NotEnrolled):
            thief.cache_key()
    finally:
        thief.close()


def test_a_token_signed_with_another_key_is_refused(stolen):
    enrollment = load_enrollment(stolen.terminal_dir)
    thief = ServerClient(stolen.url, enrollment.token, RequestSigner(new_key()))
    try:
        with pytest.raises(NotEnrolled, match="signature"):
            thief.pull(None)
    finally:
        thief.close()


def test_the_token_is_not_in_clear_in_any_file(stolen):
    token = load_enrollment(stolen.terminal_dir).token.encode()
    assert [p.name for p in _files(stolen.terminal_dir) if token in p.read_bytes()] == []


def test_the_cache_key_is_in_no_file_and_no_log_line(stolen):
    key = _cache_key(stolen)
    for path in _files(stolen.terminal_dir):
        data = path.read_bytes()
        assert key not in data and key.hex().encode() not in data, path.name
    assert stolen.logs and not [line for line in stolen.logs if key.hex() in line]
