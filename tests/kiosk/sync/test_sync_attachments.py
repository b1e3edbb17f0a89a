"""Photos and drawings across terminals: terminal A sends, the server keeps, terminal B shows.

Two real terminal databases enrolled at the same site, the real server on 127.0.0.1,
the real sync workers. Alice writes on A; Bob reads on B.
"""

from __future__ import annotations

import io
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageChops

import kiosk.sync.downloads
from kiosk.domain.attachments import AttachmentStore
from kiosk.domain.models import DrawingAttachment, PhotoAttachment, SendRefused
from kiosk.domain.terminal import Terminal
from kiosk.photos import prepare_photo
from kiosk.sync.client import ServerClient
from kiosk.sync.errors import AttachmentInvalid
from kiosk.sync.status import SyncState
from server.repo import terminals
from server.services import messaging
from sketch import Drawing, Stroke
from tests.kiosk.sync.conftest import SyncRig


def a_photo(color: str = "#2266aa") -> PhotoAttachment:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buffer, "JPEG")
    prepared = prepare_photo(buffer.getvalue())
    return PhotoAttachment(prepared.data, prepared.sha256, prepared.width, prepared.height)


def a_drawing() -> Drawing:
    return Drawing(800, 480, (
        Stroke("#e03030", 14, ((60.0, 60.0), (400.0, 300.0), (740.0, 80.0))),
        Stroke("#202020", 6, ((100.0, 420.0), (700.0, 420.0))),
        Stroke("#30a030", 30, ((400.0, 240.0),)),
    ))


def eventually(path: Path, check, timeout: float = 15.0):
    """Poll the terminal's database until ``check(terminal)`` returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        term = Terminal.open(path)
        try:
            found = check(term)
        finally:
            term.close()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def send_on(path: Path, *args, **kwargs) -> str:
    term = Terminal.open(path)
    try:
        return term.send_message(*args, **kwargs)
    finally:
        term.close()


def with_picture(employee_id: int):
    """The employee's newest message once its attachment's bytes are on the terminal."""
    def check(term: Terminal):
        inbox = term.inbox(employee_id)
        if inbox and inbox[0].attachment_type:  # typed once the bytes are here
            return inbox[0], term.attachment(inbox[0].attachment_sha256), term.db
        return None
    return check


@pytest.fixture
def terminal_a(server, terminal_path, make_rig) -> Path:
    """Terminal A, syncing, its directory received (so that Alice may write)."""
    rig = make_rig(server.url)
    rig.wait_for(lambda s: s.state is SyncState.ONLINE)
    rig.changes.get(timeout=10)
    return terminal_path


@pytest.fixture
def token_b(server, server_db, site) -> str:
    with server_db.write() as conn:
        code = terminals.create_enrollment_code(conn, site.site, timedelta(hours=1))[0]
    client = ServerClient(server.url)
    try:
        return client.enroll(code, "Terminal B")["token"]
    finally:
        client.close()


@pytest.fixture
def terminal_b(tmp_path: Path, server, token_b):
    path = tmp_path / "terminal-b" / "kiosk.sqlite3"
    Terminal.open(path).close()
    rig = SyncRig(path, server.url, token_b)
    rig.worker.start()
    rig.wait_for(lambda s: s.state is SyncState.ONLINE)
    yield path
    rig.worker.stop()


def test_a_photo_sent_on_a_reaches_b_with_its_bytes(site, terminal_a, terminal_b):
    photo = a_photo()
    send_on(terminal_a, site.alice, [site.bob], [], "La palette", attachment=photo)
    summary, (data, content_type), _ = eventually(terminal_b, with_picture(site.bob))
    assert (summary.kind, summary.preview) == ("photo", "La palette")
    assert (data, content_type) == (photo.data, "image/jpeg")


def test_a_downloaded_attachment_is_never_uploaded_again(site, terminal_a, terminal_b):
    photo = a_photo()
    send_on(terminal_a, site.alice, [site.bob], [], "", attachment=photo)
    eventually(terminal_b, with_picture(site.bob))
    assert eventually(terminal_b, lambda t: AttachmentStore(t.db).uploaded(photo.sha256))


def test_a_drawing_reaches_b_as_the_servers_png_matching_as_own(site, terminal_a, terminal_b):
    message_id = send_on(terminal_a, site.alice, [site.bob], [], "Le chemin",
                         attachment=DrawingAttachment(a_drawing()))
    summary, (theirs, content_type), _ = eventually(terminal_b, with_picture(site.bob))
    assert (summary.id, summary.kind, content_type) == (message_id, "drawing", "image/png")
    own = eventually(terminal_a, lambda t: t.attachment(t.db.execute(
        "SELECT attachment_sha256 FROM messages WHERE id = ?", (message_id,)).fetchone()[0]))
    mine, received = (Image.open(io.BytesIO(png)).convert("RGB") for png in (own[0], theirs))
    assert mine.size == received.size == (800, 480)
    difference = ImageChops.difference(mine, received)
    assert max(high for _, high in difference.getextrema()) <= 8  # alike, pixel for pixel


def test_an_announcement_without_replies_reaches_the_terminal_so(server, server_db, site,
                                                                 terminal_path, make_rig):
    with server_db.write() as conn:
        message_id = messaging.broadcast(conn, site.hr, "Exercice incendie à 10 h",
                                         to_employees=[site.alice], reply_allowed=False)
    make_rig(server.url)
    message = eventually(terminal_path, lambda t: t.open_message(message_id, site.alice))
    assert message.reply_allowed is False
    with pytest.raises(SendRefused) as refused:
        send_on(terminal_path, site.alice, [site.hr], [], "?", reply_to=message_id)
    assert refused.value.code == "reply_not_allowed"


def test_a_corrupted_download_is_refused_then_retried(server, server_db, site, terminal_path,
                                                       make_rig, token_b, monkeypatch,
                                                       caplog):
    monkeypatch.setattr(kiosk.sync.downloads, "RETRY_MIN_S", 0.2)
    caplog.set_level(logging.WARNING, logger="kiosk.sync.downloads")
    photo = a_photo("#aa6622")
    client = ServerClient(server.url, token_b)  # terminal B sends, A is tested
    client.put_attachment(photo.sha256, photo.data, "image/jpeg")
    [result] = client.push([{
        "id": "8c1d1a52-3f0e-4c55-9a57-0a4d0f1c2b11", "seq": 1, "kind": "message",
        "payload": {"sender_id": site.alice, "to_employees": [site.bob], "kind": "photo",
                    "attachment_sha256": photo.sha256}}])
    assert result["status"] == "accepted", result
    client.close()
    # The bytes go bad between the server's store and the terminal. (The server checks
    # each file against its name when it reads it, so a damaged file on its disk is
    # never sent: the damage is put after that check, in the serving process.)
    store = server.app.state.db.attachments.resolve()
    monkeypatch.setattr(store, "get", lambda _sha256: a_photo("#000000").data)
    make_rig(server.url)
    eventually(terminal_path, lambda t: t.inbox(site.bob))
    deadline = time.monotonic() + 10
    while "not downloaded" not in caplog.text:  # tried, and refused
        assert time.monotonic() < deadline, "no download was tried"
        time.sleep(0.05)
    assert "sha256" in caplog.text
    assert _stored_locally(terminal_path) == 0
    monkeypatch.undo()  # repaired; a new change wakes the pull
    monkeypatch.setattr(kiosk.sync.downloads, "RETRY_MIN_S", 0.2)
    with server_db.write() as conn:
        messaging.broadcast(conn, site.hr, "Réparé", to_employees=[site.alice])
    got = eventually(terminal_path, lambda t: t.attachment(photo.sha256))
    assert got == (photo.data, "image/jpeg")


def _stored_locally(path: Path) -> int:
    term = Terminal.open(path)
    try:
        return term.db.execute("SELECT count(*) FROM attachments").fetchone()[0]
    finally:
        term.close()


def test_a_download_over_the_cap_is_refused(server, site, token):
    photo = a_photo()
    client = ServerClient(server.url, token)
    try:
        client.put_attachment(photo.sha256, photo.data, "image/jpeg")
        assert client.get_attachment(photo.sha256) == (photo.data, "image/jpeg")
        with pytest.raises(AttachmentInvalid):
            client.get_attachment(photo.sha256, max_bytes=len(photo.data) - 1)
    finally:
        client.close()
