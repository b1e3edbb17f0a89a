"""Photos and drawings in the real app: shown in a message, full screen on a tap, sent from compose.

The demo company's line 1 has a photo (message 8) and a drawing (message 9)
from its manager; the pictures are decoded off the UI thread and shown once ready.
"""

from __future__ import annotations

import json
from typing import Any

from kiosk.demo.company import demo_message_id
from kiosk.storage import open_database

PHOTO, DRAWING = demo_message_id(8), demo_message_id(9)


def _open(app: Any, badge: str, message_id: str) -> Any:
    app.present(badge)
    app.wait_for_screen("welcome")
    app.router.open_message(message_id)
    message = app.screen("message")
    app.wait_until(lambda: message.picture is not None, 10, "the picture")
    return message


def _outbox_messages(app: Any) -> list[dict]:
    db = open_database(app.shell.runtime.config.database_path)
    try:
        rows = db.execute("SELECT payload FROM outbox WHERE kind = 'message' ORDER BY seq")
        return [json.loads(r[0]) for r in rows.fetchall()]
    finally:
        db.conn.close()


def test_a_photo_message_shows_the_photo_beside_its_caption(app, demo_badges):
    message = _open(app, demo_badges["fr"], PHOTO)
    assert message.body.startswith("Nouveau rangement au poste 3")
    assert message.picture.size[0] <= 1600 and message.ids.picture.width > 100
    # The rack's orange uprights are on screen, left half (the caption is on the right).
    shot = app.screenshot()
    width, height = shot.size
    orange = sum(1 for x in range(0, width // 2, 4) for y in range(0, height, 4)
                 if _near(shot.getpixel((x, y)), (234, 88, 12)))
    assert orange > 20


def test_tapping_the_picture_shows_it_full_screen_and_back_returns(app, demo_badges):
    message = _open(app, demo_badges["fr"], DRAWING)
    app.tap(message.ids.picture)
    app.wait_for_screen("picture")
    picture = app.screen("picture")
    assert picture.texture is message.picture and picture.caption == message.body
    app.tap(picture.ids.header.ids.back_button)
    app.wait_for_screen("message")


def test_the_picture_is_forgotten_when_the_session_ends(app, demo_badges):
    message = _open(app, demo_badges["fr"], PHOTO)
    app.tap(message.ids.picture)
    app.wait_for_screen("picture")
    app.router.done()
    app.wait_for_screen("idle")
    assert app.screen("picture").texture is None and message.picture is None


def test_a_photo_is_sent_from_compose_with_its_caption(app, demo_badges):
    from kiosk.demo.media import demo_photo
    from kiosk.domain.models import PhotoAttachment
    from kiosk.photos import prepare_photo

    prepared = prepare_photo(demo_photo())
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    app.router.compose_new()
    compose = app.screen("compose")
    app.wait_until(lambda: len(compose.ids.contact_grid.children) > 1, 5, "the contacts")
    compose.attach(PhotoAttachment(prepared.data, prepared.sha256, prepared.width,
                                   prepared.height))
    app.wait_until(lambda: compose.attachment_texture is not None, 10, "the thumbnail")
    assert compose.attachment_kind == "photo" and compose.ids.attachment_thumb.width > 0
    app.pump(0.2)
    app.tap(next(c for c in compose.ids.contact_grid.children if c.text == "Jordan Smith"))
    assert compose.can_send  # a photo needs no text
    app.tap(compose.ids.send_button)
    app.wait_until(lambda: compose.notice_level == "ok", 5, "sent")
    payload = _outbox_messages(app)[-1]
    assert (payload["kind"], payload["attachment_sha256"], payload["body"]) == (
        "photo", prepared.sha256, "")
    assert compose.attachment_kind == ""  # gone with the sent draft


def test_removing_the_attachment_leaves_a_text_draft(app, demo_badges):
    from kiosk.demo.media import demo_drawing
    from kiosk.domain.models import DrawingAttachment

    app.present(demo_badges["en"])
    app.wait_for_screen("welcome")
    app.router.compose_new()
    compose = app.screen("compose")
    compose.attach(DrawingAttachment(demo_drawing()))
    app.wait_until(lambda: compose.attachment_texture is not None, 10, "the thumbnail")
    app.pump(0.2)
    assert compose.ids.remove_attachment_button.text == "Remove the drawing"
    app.tap(compose.ids.remove_attachment_button)
    assert compose.attachment_kind == "" and compose.attachment_texture is None


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def test_a_corrupt_picture_says_it_cannot_be_shown(app, demo_badges):
    from datetime import UTC, datetime

    from kiosk.domain.attachments import AttachmentStore
    from kiosk.domain.messages import IncomingMessage, MessageStore
    from kiosk.storage import transaction

    message_id = "corrupt-photo-message"
    db = open_database(app.shell.runtime.config.database_path)
    try:
        with transaction(db) as conn:
            garbage = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a JPEG header, then noise
            sha256 = AttachmentStore.put(conn, garbage, "image/jpeg", uploaded=True)
            MessageStore.put(conn, [IncomingMessage(
                id=message_id, sender_id=8, sender_name="Sophie Lefèvre", body="Regardez",
                created_at=datetime.now(UTC), recipients=(1,), kind="photo",
                attachment_sha256=sha256)])
    finally:
        db.conn.close()
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    app.router.open_message(message_id)
    message = app.screen("message")
    app.wait_until(lambda: message.picture_text == "Cette image ne peut pas être affichée",
                   10, "the placeholder")
    assert message.picture is None and message.body == "Regardez"


def test_a_picture_not_downloaded_yet_says_so_then_shows_once_here(app, demo_badges):
    from datetime import UTC, datetime

    from kiosk.demo.media import demo_photo
    from kiosk.domain.attachments import AttachmentStore
    from kiosk.domain.messages import IncomingMessage, MessageStore
    from kiosk.photos import prepare_photo
    from kiosk.storage import transaction

    photo = prepare_photo(demo_photo(), long_edge=640)  # bytes no other message uses
    message_id = "photo-on-its-way"
    db = open_database(app.shell.runtime.config.database_path)
    try:
        with transaction(db) as conn:  # as a pull delivers it: the message, not the bytes
            MessageStore.put(conn, [IncomingMessage(
                id=message_id, sender_id=8, sender_name="Sophie Lefèvre", body="",
                created_at=datetime.now(UTC), recipients=(1,), kind="photo",
                attachment_sha256=photo.sha256)])
        app.present(demo_badges["fr"])
        app.wait_for_screen("welcome")
        app.router.open_message(message_id)
        message = app.screen("message")
        app.wait_until(lambda: message.picture_text == "L'image n'est pas encore arrivée",
                       10, "the placeholder")
        assert message.has_picture and message.picture is None
        with transaction(db) as conn:  # the download lands
            AttachmentStore.put(conn, photo.data, "image/jpeg", uploaded=True)
    finally:
        db.conn.close()
    app.wait_until(lambda: message.picture is not None, 15, "the picture, looked for again")
