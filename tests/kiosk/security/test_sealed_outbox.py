"""Outgoing messages and pictures are sealed to the server: queued on a stolen terminal,
they are in no file in clear, and nothing the terminal holds opens them; once the
server is back they arrive whole."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from contract.sealing import SealError, decode_box, item_context, open_box
from kiosk.demo.company import DEMO_WORKERS
from kiosk.domain.models import PhotoAttachment, SendStatus
from kiosk.storage import open_database
from kiosk.storage.outbox import Outbox
from kiosk.sync.signing import load_key
from server.db import schema
from server.db.seal_key import load_seal_keys
from server.repo import terminals
from tests.support.stolen_rig import DemoSite, has_messages, running, synced_site

BODY = "Code du portail arrière : 4471, ne pas le donner"
CAPTION = "Photo du quai 2 pour la maintenance"


def _noise_jpeg() -> bytes:
    """A photo whose bytes are found nowhere else: random pixels."""
    out = io.BytesIO()
    Image.frombytes("RGB", (96, 96), os.urandom(96 * 96 * 3)).save(out, "JPEG", quality=90)
    return out.getvalue()


PHOTO = _noise_jpeg()


@pytest.fixture(scope="module")
def stolen() -> Iterator[DemoSite]:
    """A terminal that sent a text and a photo while the server was unreachable, then was
    stopped with both still queued. The server is started again afterwards."""
    with synced_site() as site:
        with running(site.config()) as terminal:
            terminal.wait_core(has_messages)
            site.stop_server()  # the network goes: what is sent now stays queued
            sender, colleague = DEMO_WORKERS[0].employee.id, DEMO_WORKERS[1].employee.id
            photo = PhotoAttachment(PHOTO, hashlib.sha256(PHOTO).hexdigest(), 96, 96)
            site.sent = [  # type: ignore[attr-defined]
                terminal.core(lambda t: t.send_message(sender, [colleague], [], BODY)),
                terminal.core(lambda t: t.send_message(sender, [colleague], [], CAPTION,
                                                       attachment=photo))]
            site.sent_view = terminal.core(lambda t: t.sent(sender))  # type: ignore[attr-defined]
        site.start_server()
        yield site


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _slices(data: bytes, size: int = 24) -> list[bytes]:
    """Pieces of the photo's compressed data (past its headers)."""
    return [data[i:i + size] for i in range(len(data) // 2, len(data) - size, 97)]


def test_the_sent_view_shows_recipients_status_and_a_preview(stolen):
    texts = [s for s in stolen.sent_view if s.id in stolen.sent]
    assert {s.status for s in texts} == {SendStatus.SENDING}
    assert all(s.recipients for s in texts)
    assert {s.body for s in texts} == {BODY, CAPTION}


def test_a_queued_message_and_picture_are_in_no_file_in_clear(stolen):
    found = []
    for path in _files(stolen.terminal_dir):
        data = path.read_bytes()
        for secret in (BODY.encode(), BODY.encode("utf-16-le"), CAPTION.encode()):
            if secret in data:
                found.append((path.name, "text"))
        if any(piece in data for piece in _slices(PHOTO)):
            found.append((path.name, "photo"))
    assert found == []


def test_the_outbox_holds_boxes_that_nothing_on_the_terminal_opens(stolen):
    with stolen.server.db.read() as conn:
        server_private = load_seal_keys(conn).private
        [row] = terminals.list_terminals(conn)
    db = open_database(stolen.terminal_dir / "kiosk.sqlite3", bytes(row.cache_key))
    try:
        queued = {i.id: i for i in Outbox(db).pending() if i.kind == "message"}
        pictures = db.execute("SELECT box FROM sealed_uploads").fetchall()
    finally:
        db.conn.close()
    assert set(stolen.sent) <= set(queued) and len(pictures) == 1
    assert all(set(queued[i].payload) == {"sealed"} for i in stolen.sent)
    # Every key the terminal holds (its signing key, even the cache key a thief lacks).
    keys = [load_key(stolen.terminal_dir).private_bytes_raw(), bytes(row.cache_key)]
    box = decode_box(queued[stolen.sent[0]].payload["sealed"])
    for key in keys:
        with pytest.raises(SealError):
            open_box(key, box, item_context(stolen.sent[0], "message"))
    for path in _files(stolen.terminal_dir):  # and the server's private key is nowhere
        data = path.read_bytes()
        assert server_private not in data and server_private.hex().encode() not in data


def test_no_terminal_code_opens_a_box():
    kiosk = Path(__file__).resolve().parents[3] / "kiosk"
    assert [p.name for p in kiosk.rglob("*.py") if "open_box" in p.read_text()] == []


def test_back_online_the_server_stores_the_message_and_the_photo(stolen):
    with running(stolen.config()) as terminal:
        terminal.wait_core(lambda t: Outbox(t.db).depth() == 0)
        time.sleep(0.3)  # a second push of the same items would land now
    with stolen.server.db.read() as conn:
        rows = {r.id: r for r in conn.execute(select(schema.messages).where(
            schema.messages.c.id.in_(stolen.sent)))}
    # opened on arrival: the server's attachment store holds the photo's own bytes
    photo = stolen.server.db.attachments.resolve().get(hashlib.sha256(PHOTO).hexdigest())
    assert [rows[i].body for i in stolen.sent] == [BODY, CAPTION]
    assert json.loads(rows[stolen.sent[0]].to_employees) == [DEMO_WORKERS[1].employee.id]
    assert rows[stolen.sent[1]].kind == "photo" and bytes(photo) == PHOTO
