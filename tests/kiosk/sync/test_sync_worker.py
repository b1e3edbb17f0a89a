"""The sync worker against the real server on loopback: exactly once, whatever the network does."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from kiosk.domain.badge_keys import locked_badge_owner
from kiosk.domain.terminal import Terminal
from kiosk.storage import open_database, transaction
from kiosk.storage.outbox import Outbox
from kiosk.sync.status import SyncState
from server.db import schema
from server.repo import directory, terminals
from server.services import messaging
from tests.support.fault_proxy import FaultProxy
from tests.support.sync_checks import (
    drained,
    outbox_states,
    port_of,
    punch_offline,
    server_punches,
    wait_until,
)


def test_punches_made_offline_reach_the_server_once_it_is_back(
    server, server_db, site, terminal_path, make_rig
):
    punch_offline(terminal_path, site.alice, 5)
    proxy = FaultProxy(port_of(server), mode="refuse")
    rig = make_rig(proxy.url)
    rig.wait_for(lambda s: s.state is SyncState.OFFLINE)
    assert server_punches(server_db) == 0
    proxy.mode = "pass"
    rig.wait_for(drained, timeout=30)
    assert server_punches(server_db) == 5
    assert outbox_states(terminal_path) == {"sent": 5}
    proxy.close()


def test_answers_cut_after_the_server_stored_them_do_not_duplicate(
    server, server_db, site, terminal_path, make_rig
):
    punch_offline(terminal_path, site.alice, 3)
    proxy = FaultProxy(port_of(server), mode="cut_answer")
    rig = make_rig(proxy.url)
    deadline = time.monotonic() + 10
    while proxy.cuts < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proxy.cuts >= 2
    proxy.mode = "pass"
    rig.wait_for(drained, timeout=30)
    assert server_punches(server_db) == 3
    proxy.close()


def test_server_errors_are_retried_until_the_server_recovers(
    server, server_db, site, terminal_path, make_rig
):
    punch_offline(terminal_path, site.alice, 2)
    proxy = FaultProxy(port_of(server), mode="error500")
    rig = make_rig(proxy.url)
    status = rig.wait_for(lambda s: s.state is SyncState.OFFLINE)
    assert "500" in status.message
    proxy.mode = "pass"
    rig.wait_for(drained, timeout=30)
    assert server_punches(server_db) == 2
    proxy.close()


def test_a_slow_server_still_gets_everything_once(server, server_db, site, terminal_path,
                                                  make_rig):
    punch_offline(terminal_path, site.alice, 2)
    proxy = FaultProxy(port_of(server), mode="slow", slow_s=1.0)
    rig = make_rig(proxy.url)
    rig.wait_for(drained, timeout=30)
    assert server_punches(server_db) == 2
    proxy.close()


def test_the_directory_arrives_and_the_badge_becomes_known(server, site, terminal_path,
                                                           make_rig):
    rig = make_rig(server.url)
    rig.wait_for(lambda s: s.state is SyncState.ONLINE)
    rig.changes.get(timeout=10)
    term = Terminal.open(terminal_path)
    try:
        outcome = term.present_badge(site.alice_badge)
        assert outcome.employee is not None and outcome.employee.first_name == "Alice"
    finally:
        term.close()


def test_a_message_for_a_worker_of_the_site_arrives_within_a_second(
    server, server_db, site, terminal_path, make_rig
):
    rig = make_rig(server.url)
    rig.wait_for(lambda s: s.state is SyncState.ONLINE)
    rig.changes.get(timeout=10)  # the directory
    time.sleep(0.3)  # the puller is now long-polling
    sent = time.monotonic()
    with server_db.write() as conn:
        messaging.broadcast(conn, site.hr, "Réunion à 14 h", to_employees=[site.alice])
    rig.changes.get(timeout=5)
    assert time.monotonic() - sent < 2.0  # the benchmark measures the real figure
    term = Terminal.open(terminal_path)
    try:
        assert [m.preview for m in term.inbox(site.alice)] == ["Réunion à 14 h"]
    finally:
        term.close()


def test_a_rejected_item_is_kept_marked_and_does_not_block_the_others(
    server, server_db, site, terminal_path, make_rig
):
    db = open_database(terminal_path)
    with transaction(db) as conn:
        Outbox(db).enqueue(conn, "message", {"sender_id": site.alice, "to_employees": [999999],
                                             "kind": "text", "body": "hors liste"})
    db.conn.close()
    punch_offline(terminal_path, site.alice, 1)
    rig = make_rig(server.url)
    status = rig.wait_for(lambda s: drained(s) and s.rejected == 1)
    assert status.last_rejection
    assert server_punches(server_db) == 1
    assert outbox_states(terminal_path) == {"rejected": 1, "sent": 1}


def test_a_revoked_terminal_stops_syncing_and_keeps_its_outbox(
    server, server_db, site, terminal_path, make_rig
):
    with server_db.read() as conn:
        terminal_id = conn.execute(select(schema.terminals.c.id)).scalar_one()
    with server_db.write() as conn:
        terminals.revoke(conn, terminal_id)
    punch_offline(terminal_path, site.alice, 2)
    rig = make_rig(server.url)
    rig.wait_for(lambda s: s.state is SyncState.REVOKED)
    assert outbox_states(terminal_path) == {"queued": 2}
    assert server_punches(server_db) == 0


def test_a_thousand_queued_items_drain_in_batches(server, server_db, site, terminal_path,
                                                   make_rig):
    punch_offline(terminal_path, site.alice, 1000)
    rig = make_rig(server.url)
    rig.wait_for(drained, timeout=60)
    assert server_punches(server_db) == 1000


@pytest.mark.parametrize("kind", ["punch", "punch_void", "receipt", "ack", "message"])
def test_the_terminals_payloads_validate_against_the_wire_format(tmp_path, kind):
    from kiosk.demo.company import seed_demo
    from server.protocol import validate_item

    term = Terminal.open(tmp_path / "k.sqlite3")
    seed_demo(term.db)
    punch = term.present_badge("0F00123456").punch
    term.undo_punch(punch.id)
    inbox = term.inbox(punch.employee_id)
    term.open_message(inbox[0].id, punch.employee_id)
    to_ack = next(m for m in inbox if m.ack_required)
    term.acknowledge(to_ack.id, punch.employee_id)
    answerable = next(m for m in inbox if m.reply_allowed)  # not an announcement
    term.send_message(punch.employee_id, [2], [1], "Merci, j'arrive 👋", reply_to=answerable.id)
    term.send_message(punch.employee_id, [2], [], "x" * 4000)
    items = [i for i in Outbox(term.db).pending() if i.kind == kind]
    term.close()
    assert items
    for item in items:
        validate_item({"id": item.id, "seq": item.seq, "kind": item.kind, "payload": item.payload})


def test_enrollment_codes_are_one_time(server, server_db, site):
    from kiosk.sync.client import ServerClient
    from kiosk.sync.errors import RequestRefused

    with server_db.write() as conn:
        code = terminals.create_enrollment_code(conn, site.site, timedelta(hours=1))[0]
    client = ServerClient(server.url)
    client.enroll(code, "first")
    with pytest.raises(RequestRefused) as err:
        client.enroll(code, "second")
    assert err.value.code == "enrollment_code_used"
    client.close()


def test_a_photo_message_uploads_its_attachment_before_the_message(
    server, server_db, site, terminal_path, make_rig
):
    import io

    from PIL import Image

    from kiosk.domain.attachments import AttachmentStore

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#3366cc").save(buffer, "JPEG")
    db = open_database(terminal_path)
    with transaction(db) as conn:
        sha256 = AttachmentStore.put(conn, buffer.getvalue(), "image/jpeg")
        Outbox(db).enqueue(conn, "message", {"sender_id": site.alice, "to_employees": [site.bob],
                                             "kind": "photo", "attachment_sha256": sha256})
    db.conn.close()
    rig = make_rig(server.url)
    rig.wait_for(drained)
    assert outbox_states(terminal_path) == {"sent": 1}
    with server_db.read() as conn:
        stored = conn.execute(select(schema.attachments.c.sha256)).scalars().all()
        sent = conn.execute(select(schema.messages.c.attachment_sha256)).scalars().all()
    assert stored == [sha256]
    assert sha256 in sent


def test_an_incompatible_server_is_reported_and_the_outbox_kept(site, terminal_path, token):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from kiosk.sync.client import ServerClient
    from kiosk.sync.worker import SyncWorker

    class FutureServer(BaseHTTPRequestHandler):
        def _refuse(self) -> None:
            body = json.dumps({"error": {"code": "protocol_version", "supported": [7],
                                         "message": "this server speaks protocol 7"}}).encode()
            self.send_response(400)
            self.send_header("X-Kiosk-Protocol", "7")  # a kiosk server, of a later version
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_HEAD = _refuse

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FutureServer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    punch_offline(terminal_path, site.alice, 2)
    statuses = []
    worker = SyncWorker(terminal_path,
                        lambda: ServerClient(f"http://127.0.0.1:{httpd.server_port}", token),
                        statuses.append)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not any(s.state is SyncState.INCOMPATIBLE for s in statuses):
            assert time.monotonic() < deadline, statuses
            time.sleep(0.05)
    finally:
        worker.stop()
        httpd.shutdown()
    incompatible = next(s for s in statuses if s.state is SyncState.INCOMPATIBLE)
    assert "protocol 7" in incompatible.message
    assert outbox_states(terminal_path) == {"queued": 2}


def test_a_first_sync_of_many_pages_stores_every_one_once_and_then_the_badge_map(
        server, server_db, site, terminal_path, make_rig):
    with server_db.write() as conn:  # 2,400 directory changes: five pages of 500
        staff = [directory.create_employee(conn, f"Worker {n}", site.site)
                 for n in range(1200)]
        for n, employee in enumerate(staff):
            directory.add_badge(conn, employee, f"{0x0C00000000 + n:010X}")
    proxy = FaultProxy(port_of(server))  # passing: it records the pulls
    try:
        rig = make_rig(proxy.url)
        terminal = open_database(terminal_path)

        def badge_map_complete() -> bool:
            return terminal.execute("SELECT count(*) FROM badge_keys").fetchone()[0] >= 1200
        wait_until(badge_map_complete, timeout=60, what="every badge hashed")
        pulls = [p.path for p in proxy.requests_to("GET", "/v1/pull")]
    finally:
        proxy.close()
    assert terminal.execute("SELECT count(*) FROM employees WHERE first_name = 'Worker'"
                            ).fetchone()[0] == 1200
    assert locked_badge_owner(terminal.conn, f"{0x0C00000000 + 1199:010X}")[0] == staff[-1]
    cursors = [parse_qs(urlsplit(path).query).get("cursor", [None])[0] for path in pulls]
    assert len(cursors) >= 5 and len(set(cursors)) == len(cursors)  # no page asked twice
    terminal.conn.close()
    rig.worker.stop()
