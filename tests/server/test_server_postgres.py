"""The same server on PostgreSQL (skipped where PostgreSQL or psycopg is missing).

``pg_url`` (conftest.py) is a fresh database on a throwaway cluster, or on
KIOSK_TEST_PG_URL's server when that is set.

Every test that uses the ``db_path`` fixture runs on both engines (``[sqlite]`` and
``[postgresql]`` in its name); KIOSK_TEST_PG_URL=postgresql+psycopg://... points the
PostgreSQL runs at an existing server instead of a throwaway cluster.
"""

from __future__ import annotations

import httpx
import pytest
from server_testkit import Terminal, enrollment_code, of_type, punch, text_message

from server.db import Database
from server.embedded import start_embedded_server
from server.repo import directory, groups, messages

pytest.importorskip("psycopg")


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
