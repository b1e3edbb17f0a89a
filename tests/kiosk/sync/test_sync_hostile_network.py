"""Nothing is lost whatever the network says: the real sync worker, the real server on
loopback, and a fault proxy between them that answers as nginx, a firewall or a captive
portal would, or rewrites the server's answers.

Punches are made by the real terminal core; after the proxy heals (mode back to
``pass``), the server holds every punch exactly once and no outbox row was marked
rejected on a word that was not the server's.
"""

from __future__ import annotations

import email.utils
import io
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from contract.protocol import MAX_PUSH_BYTES
from kiosk.domain.models import PhotoAttachment
from kiosk.domain.terminal import Terminal
from kiosk.photos import prepare_photo
from kiosk.storage import open_database, transaction
from kiosk.storage.outbox import Outbox
from kiosk.sync.status import SyncState
from server.config import ServerSettings
from server.embedded import EmbeddedServer, start_embedded_server
from server.services import messaging
from tests.support.fault_proxy import FaultProxy
from tests.support.sync_checks import (
    drained,
    outbox_state_of,
    outbox_states,
    port_of,
    punch_offline,
    server_messages,
    server_punches,
    wait_until,
)

FOREIGN_MODES = ["html404", "html408", "html403", "html413", "too_many", "portal", "truncated"]


@pytest.fixture
def proxy(server) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(port_of(server))
    yield fault_proxy
    fault_proxy.close()


def pushes(proxy: FaultProxy, at_least: int, timeout: float = 15.0) -> list:
    """The push requests the proxy saw, once there are ``at_least`` of them."""
    return wait_until(lambda: len(found := proxy.requests_to("POST", "/v1/push")) >= at_least
                      and found, timeout, f"{at_least} pushes")


def gaps(requests: list) -> list[float]:
    return [b.at - a.at for a, b in zip(requests, requests[1:], strict=False)]


def a_photo() -> PhotoAttachment:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "#2266aa").save(buffer, "JPEG")
    prepared = prepare_photo(buffer.getvalue())
    return PhotoAttachment(prepared.data, prepared.sha256, prepared.width, prepared.height)


def quarantined(terminal_path: Path) -> int:
    db = open_database(terminal_path)
    try:
        return db.execute("SELECT count(*) FROM pull_quarantine").fetchone()[0]
    finally:
        db.conn.close()


# Answers that are not our server's: try later, nothing rejected -----------------------


@pytest.mark.parametrize("mode", FOREIGN_MODES)
def test_an_answer_that_is_not_the_servers_keeps_every_punch_until_the_network_heals(
    server, server_db, site, terminal_path, make_rig, proxy, mode
):
    punch_offline(terminal_path, site.alice, 3)
    proxy.mode = mode
    rig = make_rig(proxy.url)
    pushes(proxy, at_least=2)
    assert outbox_states(terminal_path) == {"queued": 3}
    assert rig.worker.status.state is SyncState.OFFLINE
    proxy.mode = "pass"
    rig.wait_for(drained, timeout=30)
    assert server_punches(server_db) == 3
    assert outbox_states(terminal_path) == {"sent": 3}


def test_a_proxy_page_is_reported_as_not_the_servers(site, terminal_path, make_rig, proxy):
    punch_offline(terminal_path, site.alice, 1)
    proxy.mode = "html403"
    rig = make_rig(proxy.url)
    status = rig.wait_for(lambda s: s.state is SyncState.OFFLINE and "403" in s.message)
    assert "other than the kiosk server" in status.message
    assert "<html>" not in status.message


def test_a_proxys_413_is_not_a_reason_to_split_the_batch(site, terminal_path, make_rig, proxy):
    punch_offline(terminal_path, site.alice, 3)
    proxy.mode = "html413"
    make_rig(proxy.url)
    sent = pushes(proxy, at_least=3)
    assert [len(json.loads(p.body)["items"]) for p in sent] == [3] * len(sent)
    assert outbox_states(terminal_path) == {"queued": 3}


def test_a_retry_after_in_seconds_is_waited_for(site, terminal_path, make_rig, proxy):
    punch_offline(terminal_path, site.alice, 1)
    proxy.mode, proxy.retry_after = "too_many", "2"
    make_rig(proxy.url)
    assert min(gaps(pushes(proxy, at_least=2))) >= 1.9


def test_a_retry_after_as_an_http_date_is_waited_for(site, terminal_path, make_rig, proxy):
    punch_offline(terminal_path, site.alice, 1)
    proxy.mode = "too_many"
    proxy.retry_after = email.utils.formatdate(time.time() + 3, usegmt=True)
    make_rig(proxy.url)
    # The date has whole seconds: from 2 to 3 s after the first answer.
    assert gaps(pushes(proxy, at_least=2))[0] >= 1.9


# Answers of our server the terminal does not take as final -----------------------------


def test_an_unknown_push_status_keeps_the_items_queued_logged_once_without_spinning(
    server, server_db, site, terminal_path, make_rig, proxy, caplog
):
    caplog.set_level(logging.WARNING, logger="kiosk.sync.worker")
    punch_offline(terminal_path, site.alice, 3)
    proxy.mode = "unknown_status"
    rig = make_rig(proxy.url)
    tries = pushes(proxy, at_least=3)
    assert min(gaps(tries)) >= 0.25  # the backoff's least wait: no spinning
    assert outbox_states(terminal_path) == {"queued": 3}
    assert caplog.text.count("not understood") == 1
    assert "'parked'" in caplog.text
    proxy.mode = "pass"
    rig.wait_for(drained, timeout=30)
    assert server_punches(server_db) == 3  # stored at the first try, never twice
    assert outbox_states(terminal_path) == {"sent": 3}


def test_deferred_items_wait_for_retry_after_then_go_once(
    server_db, site, terminal_path, make_rig, proxy
):
    punch_offline(terminal_path, site.alice, 3)
    proxy.mode, proxy.retry_after = "defer", "1.5"
    rig = make_rig(proxy.url)
    tries = pushes(proxy, at_least=2)
    assert gaps(tries)[0] >= 1.5
    assert [len(json.loads(t.body)["items"]) for t in tries[:2]] == [3, 2]  # order kept
    proxy.mode = "pass"
    rig.wait_for(drained, timeout=30)
    assert server_punches(server_db) == 3
    assert outbox_states(terminal_path) == {"sent": 3}


# Our server's 413: split the batch to find what it cannot take ------------------------


@pytest.fixture
def capped_server(server_db_path: Path, server: EmbeddedServer):
    """Start a second server on the same database whose JSON bodies are capped."""
    handles: list[EmbeddedServer] = []

    def start(max_json_bytes: int) -> EmbeddedServer:
        handles.append(start_embedded_server(server_db_path, "127.0.0.1", 0, settings=(
            ServerSettings(max_json_bytes=max_json_bytes))))
        return handles[-1]

    yield start
    for handle in handles:
        handle.stop()


def with_directory(rig) -> None:
    rig.wait_for(lambda s: s.state is SyncState.ONLINE)
    rig.changes.get(timeout=10)


def queue_messages(terminal_path: Path, make_rig, url: str, sender: int, to: int,
                   bodies: list[str]) -> None:
    """Messages queued together while no sync runs (the directory fetched first: a
    worker may write only to their contacts)."""
    rig = make_rig(url)
    with_directory(rig)
    rig.worker.stop()
    term = Terminal.open(terminal_path)
    try:
        for body in bodies:
            term.send_message(sender, [to], [], body)
    finally:
        term.close()


def test_our_servers_413_splits_the_batch_and_every_item_gets_through(
    server_db, site, terminal_path, make_rig, capped_server
):
    capped = capped_server(6000)  # two of these messages fit, three do not
    queue_messages(terminal_path, make_rig, capped.url, site.alice, site.bob,
                   [f"{n} " + "x" * 2000 for n in range(3)])
    proxy = FaultProxy(port_of(capped))  # passing: it records what was sent
    try:
        rig = make_rig(proxy.url)
        rig.wait_for(drained, timeout=30)
        sizes = [len(json.loads(p.body)["items"]) for p in proxy.requests_to("POST", "/v1/push")]
    finally:
        proxy.close()
    assert sizes[0] == 3 and 1 in sizes
    assert server_messages(server_db) == 3
    assert outbox_states(terminal_path) == {"sent": 3}


def test_an_item_our_server_finds_too_large_alone_is_kept_marked_and_counted(
    server_db, site, terminal_path, make_rig, server
):
    """Over the 2 MiB the protocol promises, alone: that item's fault, and final."""
    term = Terminal.open(terminal_path)
    try:
        with transaction(term.db) as conn:
            Outbox(term.db).enqueue(conn, "message", {
                "sender_id": site.alice, "to_employees": [site.bob], "kind": "text",
                "body": "x" * (MAX_PUSH_BYTES + 10)})
    finally:
        term.close()
    punch_offline(terminal_path, site.alice, 1)
    rig = make_rig(server.url)
    status = rig.wait_for(lambda s: drained(s) and s.rejected == 1, timeout=30)
    assert "payload_too_large" in status.last_rejection
    assert outbox_states(terminal_path) == {"rejected": 1, "sent": 1}
    assert server_punches(server_db) == 1


def test_a_body_limit_too_low_for_any_item_marks_nothing_rejected(
    server_db, site, terminal_path, make_rig, capped_server
):
    """A server misconfigured so that even one punch is too large: that is not the
    punch's fault, and no punch may be marked rejected (they would never be sent)."""
    capped = capped_server(100)  # a punch is ~200 bytes: the limit is the fault here
    punch_offline(terminal_path, site.alice, 5)
    rig = make_rig(capped.url)
    rig.wait_for(lambda s: s.state is SyncState.OFFLINE and "payload_too_large" in s.message,
                 timeout=15)
    assert outbox_states(terminal_path) == {"queued": 5}
    rig.worker.stop()
    healed = make_rig(capped_server(2 * 1024 * 1024).url)
    healed.wait_for(drained, timeout=30)
    assert server_punches(server_db) == 5


# Uploads a proxy refuses: the message waits, in its place ------------------------------


@pytest.mark.parametrize("mode", ["html403", "portal"])
def test_an_upload_refused_by_a_proxy_holds_back_its_message_and_what_follows(
    server_db, site, terminal_path, make_rig, proxy, mode
):
    rig = make_rig(proxy.url)
    with_directory(rig)
    proxy.mode, proxy.only = mode, "PUT /v1/attachments/"
    term = Terminal.open(terminal_path)
    try:
        first = term.punches.record(site.alice).id
        photo = term.send_message(site.alice, [site.bob], [], "", attachment=a_photo())
        last = term.punches.record(site.alice).id
    finally:
        term.close()
    wait_until(lambda: proxy.faults >= 2, what="two refused uploads")
    wait_until(lambda: outbox_state_of(terminal_path, first) == "sent", what="the punch before")
    assert (outbox_state_of(terminal_path, photo), outbox_state_of(terminal_path, last)) == (
        "queued", "queued")
    assert (server_punches(server_db), server_messages(server_db)) == (1, 0)
    proxy.mode = "pass"
    rig.wait_for(drained, timeout=30)
    assert outbox_states(terminal_path) == {"sent": 3}
    assert (server_punches(server_db), server_messages(server_db)) == (2, 1)


def test_an_upload_told_to_wait_first_in_line_pushes_nothing_and_waits_retry_after(
    site, terminal_path, make_rig, proxy
):
    rig = make_rig(proxy.url)
    with_directory(rig)
    proxy.mode, proxy.only, proxy.retry_after = "too_many", "PUT /v1/attachments/", "1.5"
    term = Terminal.open(terminal_path)
    try:
        term.send_message(site.alice, [site.bob], [], "", attachment=a_photo())
        term.punches.record(site.alice)
    finally:
        term.close()
    puts = wait_until(lambda: len(found := proxy.requests_to("PUT", "/v1/attachments/")) >= 2
                      and found, what="two uploads")
    assert gaps(puts)[0] >= 1.5
    assert proxy.requests_to("POST", "/v1/push") == []
    assert outbox_states(terminal_path) == {"queued": 2}


# A poison change in a pull: set aside, the rest applied, the pull goes on --------------


def test_a_change_the_terminal_cannot_apply_is_set_aside_and_the_pull_goes_on(
    server_db, site, terminal_path, make_rig, proxy, caplog
):
    caplog.set_level(logging.INFO)
    proxy.mode = "poison_pull"
    rig = make_rig(proxy.url)
    rig.changes.get(timeout=10)  # the directory, with the poison among it
    assert proxy.faults >= 1 and quarantined(terminal_path) == proxy.faults
    term = Terminal.open(terminal_path)
    try:
        assert term.present_badge(site.alice_badge).employee.first_name == "Alice"
    finally:
        term.close()
    proxy.mode = "pass"
    time.sleep(0.3)  # the puller is long-polling again: the cursor moved on
    with server_db.write() as conn:
        messaging.broadcast(conn, site.hr, "Après le poison", to_employees=[site.alice])

    def inbox() -> list[str]:
        term = Terminal.open(terminal_path)
        try:
            return [m.preview for m in term.inbox(site.alice)]
        finally:
            term.close()

    assert wait_until(inbox, what="the next message") == ["Après le poison"]
    assert "POISON-BODY" not in caplog.text
