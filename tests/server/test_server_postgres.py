"""The same server on PostgreSQL (skipped where PostgreSQL or psycopg is missing).

The whole suite can also run on PostgreSQL: KIOSK_TEST_PG_URL=postgresql+psycopg://...
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_testkit import Terminal, enrollment_code, of_type, punch, text_message
from sqlalchemy import create_engine

from server.db import Database
from server.embedded import start_embedded_server
from server.repo import directory, groups, messages

pytest.importorskip("psycopg")


def _as_postgres_user(args: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as 'nobody' then."""
    return ["runuser", "-u", "nobody", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("PostgreSQL server binaries not installed")
    # not under pytest's tmp dir: 'nobody' could not reach it
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "nobody")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = root / "data"
    subprocess.run(_as_postgres_user(["initdb", "-D", str(data), "-U", "kiosk", "--auth=trust",
                                      "-E", "UTF8"]), check=True, capture_output=True)
    options = f"-k {root} -p {port} -c listen_addresses='' -c fsync=off"
    subprocess.run(_as_postgres_user(["pg_ctl", "-D", str(data), "-o", options, "-l",
                                      str(root / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    admin = create_engine(f"postgresql+psycopg://kiosk@/postgres?host={root}&port={port}",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE kiosk")
    admin.dispose()
    yield f"postgresql+psycopg://kiosk@/kiosk?host={root}&port={port}"
    subprocess.run(_as_postgres_user(["pg_ctl", "-D", str(data), "-m", "fast", "stop"]),
                   check=False, capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


def test_sync_round_trip_works_on_postgresql(pg_url: str) -> None:
    handle = start_embedded_server(pg_url)
    db = Database(pg_url)
    with db.write() as conn:
        site = directory.create_site(conn, "Plant A")
        ann = directory.create_employee(conn, "Ann", site, moderated=True)
        ben = directory.create_employee(conn, "Ben", site)
        directory.add_badge(conn, ann, "0F00123456")
        groups.set_contacts(conn, ann, [ben], [])
    enrolled = httpx.post(f"{handle.url}/v1/enroll", json={
        "code": enrollment_code(db, site), "terminal_name": "T"}).json()
    client = Terminal(base_url=handle.url,
                      headers={"Authorization": f"Bearer {enrolled['token']}"})
    the_punch = punch(ann)
    sent = text_message(ann, (ben,))
    assert [r["status"] for r in client.push(the_punch, sent)] == ["accepted", "accepted"]
    assert client.push(the_punch)[0]["status"] == "duplicate"
    changes, cursor = client.pull_all()
    assert of_type(changes, "message")[0]["status"] == "pending"
    with db.write() as conn:
        messages.decide(conn, sent["id"], approve=True, reason=None)
    body = client.get("/v1/pull", params={"cursor": cursor, "wait": 5}).json()
    assert {c["type"] for c in body["changes"]} == {"message", "moderation"}
    client.close()
    handle.stop()
    db.dispose()
