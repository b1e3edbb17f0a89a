"""Photos and drawings on the terminal: what sending one queues, refuses, keeps and shows.

Real SQLite files (the ``terminal`` fixture, demo company): Camille (1) may write to
Jordan (2). A drawing's local PNG is ``sketch.render_png``'s, like the server's.
"""

import io
import json
import math
import queue
import random
import time
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from PIL import Image

from kiosk.app.media_worker import MediaWorker
from kiosk.demo.company import demo_message_id
from kiosk.domain.attachments import AttachmentStore
from kiosk.domain.message_attachments import MAX_DRAWING_WIRE_BYTES, stage
from kiosk.domain.messages import IncomingMessage, MessageStore
from kiosk.domain.models import DrawingAttachment, PhotoAttachment, SendRefused
from kiosk.domain.retention import prune_expired
from kiosk.photos import prepare_photo
from kiosk.storage import sqlite as sqlite_errors
from kiosk.storage import transaction
from sketch import (
    MAX_DRAWING_POINTS,
    MAX_STROKES,
    Drawing,
    DrawingEditor,
    Edit,
    Stroke,
    render_png,
)
from tests.support.station_view import RecordingView

CAMILLE, JORDAN = 1, 2
NOW = datetime.now(UTC)


def jpeg(size=(800, 600), color="#cc2222") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def photo(size=(800, 600), color="#cc2222") -> PhotoAttachment:
    prepared = prepare_photo(jpeg(size, color))
    return PhotoAttachment(prepared.data, prepared.sha256, prepared.width, prepared.height)


def a_drawing(width=640, height=400) -> Drawing:
    return Drawing(width, height, (
        Stroke("#1144ee", 12, ((40.0, 40.0), (320.0, 200.0), (600.0, 60.0))),
        Stroke("#000000", 4, ((100.0, 350.0),)),
    ))


def outbox(terminal) -> list[tuple[str, str, dict]]:
    rows = terminal.db.execute("SELECT id, kind, payload, seq FROM outbox ORDER BY seq")
    return [(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]


def counts(terminal) -> dict[str, int]:
    return {table: terminal.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("messages", "outbox", "attachments")}


def message_row(terminal, message_id: str) -> tuple:
    return terminal.db.execute(
        "SELECT kind, body, attachment_sha256 FROM messages WHERE id = ?", (message_id,)
    ).fetchone()


def validate(item_id: str, kind: str, payload: dict, seq: int) -> None:
    from server.protocol import validate_item

    validate_item({"id": item_id, "seq": seq, "kind": kind, "payload": payload})


def image_of(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def near(pixel, color, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


# Photos ---------------------------------------------------------------------------------------

def test_a_photo_and_its_caption_are_queued_with_the_bytes(terminal):
    attachment = photo()
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "  La palette abîmée  ",
                                       attachment=attachment)
    assert message_row(terminal, message_id) == ("photo", "La palette abîmée",
                                                 attachment.sha256)
    assert terminal.attachment(attachment.sha256) == (attachment.data, "image/jpeg")
    assert not AttachmentStore(terminal.db).uploaded(attachment.sha256)
    [(item_id, kind, payload, seq)] = outbox(terminal)
    assert (item_id, kind) == (message_id, "message")
    assert payload["kind"] == "photo" and payload["attachment_sha256"] == attachment.sha256
    assert payload["body"] == "La palette abîmée" and "drawing" not in payload
    validate(item_id, kind, payload, seq)


def test_a_photo_needs_no_caption(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "   ", attachment=photo())
    assert message_row(terminal, message_id)[:2] == ("photo", "")
    validate(*outbox(terminal)[0])


def test_a_text_message_still_needs_a_body(terminal):
    with pytest.raises(SendRefused) as refused:
        terminal.send_message(CAMILLE, [JORDAN], [], "   ")
    assert refused.value.code == "empty_body"


def test_the_photo_the_message_and_its_outbox_item_are_one_transaction(terminal):
    before = counts(terminal)
    terminal.db.execute("CREATE TEMP TRIGGER full_disk BEFORE INSERT ON outbox "
                        "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite_errors.DatabaseError):
        terminal.send_message(CAMILLE, [JORDAN], [], "", attachment=photo())
    assert counts(terminal) == before


# Drawings -------------------------------------------------------------------------------------

def test_a_drawing_goes_as_strokes_and_is_kept_rendered_for_the_sender(terminal):
    drawing = a_drawing()
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Le chemin",
                                       attachment=DrawingAttachment(drawing))
    png = render_png(drawing)
    kind, body, sha256 = message_row(terminal, message_id)
    assert (kind, body) == ("drawing", "Le chemin")
    assert terminal.attachment(sha256) == (png, "image/png")
    [(item_id, item_kind, payload, seq)] = outbox(terminal)
    assert payload["kind"] == "drawing" and payload["drawing"] == drawing.to_wire()
    assert "attachment_sha256" not in payload  # the server renders its own
    validate(item_id, item_kind, payload, seq)


def test_a_drawing_over_a_photo_is_flattened_into_a_jpeg_photo(terminal):
    # An 800x600 photo shown on a 1280x800 canvas: fitted to 1067x800, 106 px bars.
    background = photo((800, 600), "#cc2222").data
    line = Stroke("#1144ee", 40, ((0.0, 400.0), (1280.0, 400.0)))
    attachment = DrawingAttachment(Drawing(1280, 800, (line,)), background)
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Ici", attachment=attachment)
    kind, _, sha256 = message_row(terminal, message_id)
    data, content_type = terminal.attachment(sha256)
    image = image_of(data)
    assert (kind, content_type) == ("photo", "image/jpeg")
    assert image.size == (800, 600)  # the photo's own pixels, without the canvas's bars
    assert near(image.getpixel((400, 300)), (0x11, 0x44, 0xee))  # the stroke
    assert near(image.getpixel((400, 100)), (0xcc, 0x22, 0x22))  # the photo
    assert near(image.getpixel((5, 300)), (0x11, 0x44, 0xee))  # the stroke reaches the edge
    payload = outbox(terminal)[0][2]
    assert payload["attachment_sha256"] == sha256 and "drawing" not in payload
    validate(*outbox(terminal)[0])


def _big_drawing() -> Drawing:
    points = tuple((float(i % 1000), float(i // 1000)) for i in range(5000))
    strokes = int(MAX_DRAWING_WIRE_BYTES / 12 / 5000) + 1
    return Drawing(1000, 1000, tuple(Stroke("#000000", 2, points) for _ in range(strokes)))


def _truncated_jpeg() -> bytes:
    data = jpeg()
    return data[: len(data) // 3]


@pytest.mark.parametrize(("make", "code"), [
    (lambda: DrawingAttachment(_big_drawing()), "drawing_too_big"),
    (lambda: DrawingAttachment(Drawing(640, 400)), "empty_drawing"),
    (lambda: DrawingAttachment("not a drawing"), "bad_drawing"),
    (lambda: DrawingAttachment(a_drawing(), b"not a photo"), "bad_photo"),
    (lambda: DrawingAttachment(a_drawing(), _truncated_jpeg()), "bad_photo"),
    (lambda: PhotoAttachment(b"GIF89a...", "0" * 64, 1, 1), "bad_photo"),
    (lambda: PhotoAttachment(jpeg(), "0" * 64, 800, 600), "bad_photo"),
], ids=["too-big", "empty", "not-a-drawing", "undecodable-background",
        "truncated-background", "not-a-jpeg", "wrong-sha256"])
def test_a_bad_attachment_is_refused_and_nothing_is_written(terminal, make, code):
    before = counts(terminal)
    with pytest.raises(SendRefused) as refused:
        terminal.send_message(CAMILLE, [JORDAN], [], "x", attachment=make())
    assert refused.value.code == code
    assert counts(terminal) == before


@cache
def budget_drawing(width: int = 1280, height: int = 800) -> Drawing:
    """What a worker scribbling until the editor says full sends: MAX_DRAWING_POINTS."""
    editor, rng, touch = DrawingEditor(width, height), random.Random(3), 0
    while not editor.is_full:
        touch += 1
        x, y, heading = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0, 6.3)
        editor.begin_stroke(touch, (x, y), "#1144ee", 6)
        for _ in range(2000):
            heading += rng.gauss(0, 0.3)
            x, y = (x + 3 * math.cos(heading)) % width, (y + 3 * math.sin(heading)) % height
            if editor.add_point(touch, (x, y)) is Edit.FULL:
                break
        editor.end_stroke(touch)
    return editor.drawing


def test_a_drawing_at_the_point_budget_fits_the_wire_cap_in_the_worst_case():
    # The longest JSON per point (coordinates at the wire's limit, 0.01 rounding), the
    # longest width repr, every stroke the editor may make, the largest canvas.
    per_stroke = MAX_DRAWING_POINTS // MAX_STROKES
    points = ((-99999.99, -99999.99),) * per_stroke
    width = 1.2345678901234567e-100
    drawing = Drawing(4096, 4096, tuple(Stroke("#abcdef", width, points)
                                        for _ in range(MAX_STROKES)))
    assert drawing.point_count == MAX_DRAWING_POINTS
    assert len(json.dumps(drawing.to_wire()).encode()) <= MAX_DRAWING_WIRE_BYTES


def test_a_drawing_the_editor_calls_full_is_sent(terminal):
    drawing = budget_drawing()
    assert drawing.point_count >= MAX_DRAWING_POINTS - 1
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "",
                                       attachment=DrawingAttachment(drawing))
    assert message_row(terminal, message_id)[0] == "drawing"
    validate(*outbox(terminal)[0])


def test_a_staged_attachment_is_sent_as_is(terminal):
    staged = stage(DrawingAttachment(a_drawing()))
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "", attachment=staged)
    assert message_row(terminal, message_id) == ("drawing", "", staged.sha256)
    assert terminal.attachment(staged.sha256) == (staged.data, "image/png")
    assert outbox(terminal)[0][2]["drawing"] == a_drawing().to_wire()


def test_a_staged_attachment_the_message_and_its_outbox_item_are_one_transaction(terminal):
    staged = stage(photo())
    before = counts(terminal)
    terminal.db.execute("CREATE TEMP TRIGGER full_disk BEFORE INSERT ON outbox "
                        "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite_errors.DatabaseError):
        terminal.send_message(CAMILLE, [JORDAN], [], "", attachment=staged)
    assert counts(terminal) == before


def test_the_sent_list_says_each_messages_kind(terminal):
    terminal.send_message(CAMILLE, [JORDAN], [], "Texte")
    terminal.send_message(CAMILLE, [JORDAN], [], "", attachment=photo())
    terminal.send_message(CAMILLE, [JORDAN], [], "", attachment=DrawingAttachment(a_drawing()))
    kinds = {m.kind for m in terminal.sent(CAMILLE)}
    assert kinds == {"text", "photo", "drawing"}


# Received attachments -------------------------------------------------------------------------

def _deliver_photo(terminal, message_id: str, data: bytes, expires_at=None) -> str:
    import hashlib

    sha256 = hashlib.sha256(data).hexdigest()
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id=message_id, sender_id=JORDAN, sender_name="Jordan", body="", kind="photo",
            created_at=NOW - timedelta(hours=1), recipients=(CAMILLE,),
            expires_at=expires_at, attachment_sha256=sha256,
        )])
    return sha256


def _summary(terminal, message_id: str):
    return next(m for m in terminal.inbox(CAMILLE) if m.id == message_id)


def test_a_received_photo_is_named_at_once_and_typed_once_its_bytes_are_here(terminal):
    data = photo().data
    sha256 = _deliver_photo(terminal, "p1", data)
    # Named from the start (the screen says "not arrived yet"), no type without bytes.
    assert (_summary(terminal, "p1").attachment_sha256,
            _summary(terminal, "p1").attachment_type) == (sha256, None)
    assert terminal.open_message("p1", CAMILLE).attachment_type is None
    assert terminal.attachment(sha256) is None
    with transaction(terminal.db) as conn:
        AttachmentStore.put(conn, data, "image/jpeg", uploaded=True)
    summary = _summary(terminal, "p1")
    message = terminal.open_message("p1", CAMILLE)
    assert (summary.kind, summary.attachment_sha256, summary.attachment_type) == (
        "photo", sha256, "image/jpeg")
    assert (message.attachment_sha256, message.attachment_type) == (sha256, "image/jpeg")


def test_an_expired_photo_message_takes_its_photo_along(terminal):
    data = photo().data
    sha256 = _deliver_photo(terminal, "old", data, expires_at=NOW - timedelta(minutes=1))
    with transaction(terminal.db) as conn:
        AttachmentStore.put(conn, data, "image/jpeg", uploaded=True)
    result = prune_expired(terminal.db)
    assert (result.messages, result.attachments) == (1, 1)
    assert terminal.attachment(sha256) is None


def test_a_sent_photo_outlives_the_prune(terminal):
    attachment = photo()
    terminal.send_message(CAMILLE, [JORDAN], [], "", attachment=attachment)
    terminal.db.execute("UPDATE outbox SET state = 'sent'")
    assert prune_expired(terminal.db).attachments == 0
    assert terminal.attachment(attachment.sha256) is not None


# Replies --------------------------------------------------------------------------------------

def test_a_message_that_takes_no_replies_cannot_be_answered(terminal):
    no_reply = demo_message_id(1)  # HR's announcement to acknowledge
    assert terminal.open_message(no_reply, CAMILLE).reply_allowed is False
    before = counts(terminal)
    with pytest.raises(SendRefused) as refused:
        terminal.send_message(CAMILLE, [10], [], "Question", reply_to=no_reply)
    assert refused.value.code == "reply_not_allowed"
    assert counts(terminal) == before


# Through the station --------------------------------------------------------------------------


def test_the_station_sends_a_photo_and_loads_it_back(tmp_path):
    from kiosk.app.station import Station
    from kiosk.app.worker import CoreWorker
    from kiosk.demo.company import seed_demo
    from kiosk.domain.session import SessionPolicy
    from kiosk.domain.terminal import Terminal

    path = tmp_path / "kiosk.sqlite3"
    term = Terminal.open(path)
    seed_demo(term.db)
    term.close()
    calls: queue.SimpleQueue = queue.SimpleQueue()
    worker = CoreWorker(lambda: Terminal.open(path), calls.put)
    worker.start()
    try:
        station = Station(worker, RecordingView(), SessionPolicy(timeout_s=30, punch_undo_s=8))
        station.on_badge("0F00123456")  # Camille
        calls.get(timeout=5)()
        attachment, got = photo(), []
        station.send([JORDAN], [], "", None, got.append, got.append, attachment=attachment)
        calls.get(timeout=5)()
        station.load_attachment(attachment.sha256, got.append)
        calls.get(timeout=5)()
    finally:
        worker.stop()
    assert isinstance(got[0], str)
    assert got[1] == (attachment.data, "image/jpeg")


# Through the station, staged on the media thread ---------------------------------------------

CAMILLE_BADGE, JORDAN_BADGE = "0F00123456", "1A0067B3C2"


class _Kiosk:
    """A station with its core worker and media worker; ``calls`` is the UI thread's queue."""

    def __init__(self, path) -> None:
        from kiosk.app.station import Station
        from kiosk.app.worker import CoreWorker
        from kiosk.demo.company import seed_demo
        from kiosk.domain.session import SessionPolicy
        from kiosk.domain.terminal import Terminal

        term = Terminal.open(path)
        seed_demo(term.db)
        term.close()
        self.path = path
        self.calls: queue.SimpleQueue = queue.SimpleQueue()
        self.worker = CoreWorker(lambda: Terminal.open(path), self.calls.put)
        self.media = MediaWorker(self.calls.put)
        self.station = Station(self.worker, RecordingView(),
                               SessionPolicy(timeout_s=30, punch_undo_s=8), media=self.media)
        self.worker.start()

    def run_next(self) -> None:
        self.calls.get(timeout=10)()

    def counts(self) -> dict[str, int]:
        from kiosk.domain.terminal import Terminal

        term = Terminal.open(self.path)
        try:
            return counts(term)
        finally:
            term.close()

    def stop(self) -> None:
        self.media.stop()
        self.worker.stop()


@pytest.fixture
def kiosk(tmp_path):
    kiosk = _Kiosk(tmp_path / "kiosk.sqlite3")
    kiosk.station.on_badge(CAMILLE_BADGE)
    kiosk.run_next()
    yield kiosk
    kiosk.stop()


def test_a_badge_read_is_answered_while_a_big_drawing_is_staged(kiosk):
    budget_drawing()  # drawn beforehand: the worker drew it on the UI thread
    answered: list[str] = []
    kiosk.station.send([JORDAN], [], "", None, answered.append, answered.append,
                       attachment=DrawingAttachment(budget_drawing()))
    sent_at = time.monotonic()
    kiosk.worker.submit(lambda t: t.present_badge(JORDAN_BADGE),
                        lambda outcome: answered.append(outcome.employee.first_name))
    kiosk.run_next()
    badge_s = time.monotonic() - sent_at
    assert answered == ["Jordan"]  # before the drawing was staged, not after it
    kiosk.run_next()  # staged: the media thread hands it to the core
    kiosk.run_next()
    assert isinstance(answered[1], str)  # the message id
    assert badge_s < time.monotonic() - sent_at


def test_a_drawing_staged_on_the_media_thread_is_queued_with_its_message(kiosk):
    before, sent = kiosk.counts(), []
    kiosk.station.send([JORDAN], [], "Le chemin", None, sent.append, sent.append,
                       attachment=DrawingAttachment(a_drawing()))
    kiosk.run_next()  # staged
    kiosk.run_next()  # written
    assert isinstance(sent[0], str)
    after = kiosk.counts()
    assert {table: after[table] - before[table] for table in after} == {
        "messages": 1, "outbox": 1, "attachments": 1}


def test_a_refusal_from_staging_reaches_on_refused_and_writes_nothing(kiosk):
    before = kiosk.counts()
    sent, refused = [], []
    kiosk.station.send([JORDAN], [], "", None, sent.append, refused.append,
                       attachment=DrawingAttachment(Drawing(640, 400)))
    kiosk.run_next()
    assert sent == [] and [r.code for r in refused] == ["empty_drawing"]
    assert kiosk.counts() == before


def test_a_drawing_staged_after_its_session_ended_is_not_sent(kiosk):
    before = kiosk.counts()
    sent: list[object] = []
    kiosk.station.send([JORDAN], [], "", None, sent.append, sent.append,
                       attachment=DrawingAttachment(a_drawing()))
    kiosk.station.end_session()  # the worker walks away while it renders
    kiosk.run_next()
    kiosk.worker.submit(lambda t: None, lambda _: sent.append("core idle"))
    kiosk.run_next()
    assert sent == ["core idle"]
    assert kiosk.counts() == before
