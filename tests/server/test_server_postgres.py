"""The same server on PostgreSQL (skipped where PostgreSQL or psycopg is missing).

``pg_url`` (conftest.py) is a fresh database on a throwaway cluster, or on
KIOSK_TEST_PG_URL's server when that is set.

Every test that uses the ``db_path`` fixture runs on both engines (``[sqlite]`` and
``[postgresql]`` in its name); KIOSK_TEST_PG_URL=postgresql+psycopg://... points the
PostgreSQL runs at an existing server instead of a throwaway cluster.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from server_testkit import Terminal, enrollment_code, of_type, punch, text_message

from server.config import ServerSettings
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


def test_a_change_on_one_server_process_wakes_long_polls_on_another_at_once(pg_url: str) -> None:
    # The polling watcher would take 30 s here: only a notification can be this quick.
    slow_watch = ServerSettings(watch_interval=30.0, drawing_render_processes=0)
    first = start_embedded_server(pg_url, settings=slow_watch)
    second = start_embedded_server(pg_url, settings=slow_watch)
    db = Database(pg_url)
    try:
        with db.write() as conn:
            site = directory.create_site(conn, "Plant A")
            ann = directory.create_employee(conn, "Ann", site)
            ben = directory.create_employee(conn, "Ben", site)
            groups.set_contacts(conn, ann, [ben], [])
        tokens = [httpx.post(f"{server.url}/v1/enroll", json={
            "code": enrollment_code(db, site), "terminal_name": name}).json()["token"]
            for server, name in ((first, "A"), (second, "B"))]
        sender = Terminal(base_url=first.url, headers={"Authorization": f"Bearer {tokens[0]}"})
        reader = Terminal(base_url=second.url, headers={"Authorization": f"Bearer {tokens[1]}"})
        _, cursor = reader.pull_all()
        answer: dict[str, object] = {}

        def long_poll() -> None:
            started = time.monotonic()
            answer["body"] = reader.get("/v1/pull", params={"cursor": cursor, "wait": 20},
                                        timeout=30).json()
            answer["seconds"] = time.monotonic() - started

        poll = threading.Thread(target=long_poll)
        poll.start()
        time.sleep(0.5)  # the long-poll is held on the second process
        sent = text_message(ann, (ben,))
        assert sender.push(sent)[0]["status"] == "accepted"
        poll.join(25)
        assert any(c["type"] == "message" for c in answer["body"]["changes"])  # type: ignore[index]
        assert answer["seconds"] < 5  # type: ignore[operator]
        sender.close()
        reader.close()
    finally:
        first.stop()
        second.stop()
        db.dispose()


def test_a_rolled_back_write_notifies_nobody(pg_url: str) -> None:
    import psycopg

    from server.db.engine import CHANGES_CHANNEL

    db = Database(pg_url)
    db.migrate()
    libpq = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANGES_CHANNEL}")
        with pytest.raises(RuntimeError), db.write() as conn:
            directory.create_site(conn, "Never")
            raise RuntimeError("the transaction fails after logging a change")
        assert list(listener.notifies(timeout=0.5)) == []
        with db.write() as conn:
            site = directory.create_site(conn, "Plant B")
            directory.create_employee(conn, "Cleo", site)
        payloads = [n.payload for n in listener.notifies(timeout=2, stop_after=1)]
    db.dispose()
    assert payloads and payloads[0] in (str(site), "*")
