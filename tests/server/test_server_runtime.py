"""The embedded server helper and what the server writes to its logs."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import httpx
import pytest
from server_testkit import Terminal, enrollment_code, punch, text_message

from server.db import Database, url_from_path
from server.embedded import start_embedded_server
from server.repo import directory


def test_embedded_server_stops_promptly_during_a_long_poll(tmp_path: Path) -> None:
    handle = start_embedded_server(tmp_path / "e.db", "127.0.0.1", 0)
    db = Database(url_from_path(tmp_path / "e.db"))
    with db.write() as conn:
        site = directory.create_site(conn, "S")
    code = enrollment_code(db, site)
    token = httpx.post(f"{handle.url}/v1/enroll",
                       json={"code": code, "terminal_name": "T"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    cursor = httpx.get(f"{handle.url}/v1/pull", headers=headers).json()["cursor"]
    poll = threading.Thread(target=lambda: httpx.get(
        f"{handle.url}/v1/pull", headers=headers, params={"cursor": cursor, "wait": 25},
        timeout=30))
    poll.start()
    time.sleep(0.3)
    started = time.monotonic()
    handle.stop()
    poll.join(10)
    assert time.monotonic() - started < 5
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{handle.url}/v1/info")
    db.dispose()


def test_logs_never_contain_message_bodies_or_badge_ids(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    handle = start_embedded_server(tmp_path / "l.db", "127.0.0.1", 0, log_level="debug")
    db = Database(url_from_path(tmp_path / "l.db"))
    with db.write() as conn:
        site = directory.create_site(conn, "S")
        ann = directory.create_employee(conn, "Ann", site, role="hr")
        ben = directory.create_employee(conn, "Ben", site)
        directory.add_badge(conn, ann, "BADGE7777777")
    code = enrollment_code(db, site)
    token = httpx.post(f"{handle.url}/v1/enroll",
                       json={"code": code, "terminal_name": "T"}).json()["token"]
    client = Terminal(base_url=handle.url, headers={"Authorization": f"Bearer {token}"})
    client.push(punch(ann), text_message(ann, (ben,), body="SECRET-BODY-TEXT"),
                text_message(ben, (ann,), body="SECRET-REJECTED-TEXT"))
    client.pull_all()
    client.close()
    handle.stop()
    db.dispose()
    logged = caplog.text + "".join(capfd.readouterr())
    assert "pushed 3 items" in logged  # the server did log the push
    for secret in ("SECRET-BODY-TEXT", "SECRET-REJECTED-TEXT", "BADGE7777777", token, code):
        assert secret not in logged
