"""What a photo or a drawing becomes before its message is queued: checked, rendered, staged.

``stage`` runs before the message's transaction, so a refusal (``SendRefused``) leaves
nothing written. In the app it runs on the station's media thread
(``kiosk.app.media_worker``), not on the core worker: rendering takes seconds on a Pi, and
badge reads must not wait behind it. Three shapes come out:

* a photo: its JPEG as is, kind ``photo``, the payload names its sha256;
* a drawing: kind ``drawing``, the payload carries the strokes (the server renders its
  own PNG for everyone else); the terminal keeps its own render, with the same
  renderer, for the sender's views;
* a drawing over a photo: the strokes are flattened onto the photo and the result
  re-encoded as JPEG, sent as a plain ``photo`` (the recipients see the annotation,
  no terminal needs to know it was one).

Imports Pillow (through ``sketch``): ``kiosk.domain.messages`` loads this module on the first
message with an attachment only, not at start-up.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from typing import Any

from PIL import Image

from kiosk.domain.models import (
    Attachment,
    DrawingAttachment,
    PhotoAttachment,
    SendRefused,
    StagedAttachment,
)
from sketch import Drawing, DrawingError, fit_inside, render_image, render_png

# The server's attachment cap (server.config.ServerSettings.max_attachment_bytes).
MAX_PHOTO_BYTES = 8 * 1024 * 1024
# A push batch is capped at 2 MiB of JSON (ServerSettings.max_json_bytes); one drawing
# must fit in it with its envelope, or its outbox item could never be sent.
MAX_DRAWING_WIRE_BYTES = 1_500_000
# Shortest JSON of one point, "[1.0, 2.0]" and its ", ": more points cannot fit at all.
_MIN_POINT_BYTES = 12
# An annotated photo keeps the photo's resolution, up to what prepare_photo produces.
ANNOTATED_LONG_EDGE = 1600
ANNOTATED_QUALITY = 85
_JPEG_MAGIC = b"\xff\xd8\xff"
_QUARTER_TURNS = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def stage(attachment: Attachment) -> StagedAttachment:
    """Check and prepare ``attachment``; raises ``SendRefused`` (codes: ``bad_photo``,
    ``photo_too_big``, ``bad_drawing``, ``empty_drawing``, ``drawing_too_big``)."""
    if isinstance(attachment, PhotoAttachment):
        return _photo(attachment.data, attachment.sha256)
    if isinstance(attachment, DrawingAttachment):
        drawing = _checked(attachment.drawing)
        if attachment.background is not None:
            return _annotated(drawing, attachment.background)
        return _drawing(drawing)
    raise SendRefused("bad_attachment", type(attachment).__name__)


def _photo(data: bytes, sha256: str | None = None) -> StagedAttachment:
    if not isinstance(data, bytes) or not data.startswith(_JPEG_MAGIC):
        raise SendRefused("bad_photo", "not a JPEG")
    if len(data) > MAX_PHOTO_BYTES:
        raise SendRefused("photo_too_big", f"{len(data)} > {MAX_PHOTO_BYTES} bytes")
    digest = hashlib.sha256(data).hexdigest()
    if sha256 is not None and sha256 != digest:
        raise SendRefused("bad_photo", "the bytes do not match their sha256")
    return StagedAttachment("photo", data, "image/jpeg", {"attachment_sha256": digest})


def _checked(drawing: Any) -> Drawing:
    """The drawing re-validated from its wire form (what the server will parse), or a
    refusal; an oversized one is refused before its JSON is even built."""
    if not isinstance(drawing, Drawing):
        raise SendRefused("bad_drawing", f"expected a Drawing, got {type(drawing).__name__}")
    if drawing.point_count * _MIN_POINT_BYTES > MAX_DRAWING_WIRE_BYTES:
        raise SendRefused("drawing_too_big", f"{drawing.point_count} points")
    wire = drawing.to_wire()
    size = len(json.dumps(wire).encode())
    if size > MAX_DRAWING_WIRE_BYTES:
        raise SendRefused("drawing_too_big", f"{size} > {MAX_DRAWING_WIRE_BYTES} bytes")
    try:
        return Drawing.from_wire(wire)
    except DrawingError as error:
        raise SendRefused("bad_drawing", str(error)) from None


def _drawing(drawing: Drawing) -> StagedAttachment:
    if not drawing.strokes:
        raise SendRefused("empty_drawing")
    try:
        png = render_png(drawing)  # what the server renders too: same bytes, same sha256
    except ValueError as error:
        raise SendRefused("bad_drawing", str(error)) from None
    return StagedAttachment("drawing", png, "image/png", {"drawing": drawing.to_wire()})


def _annotated(drawing: Drawing, background: bytes) -> StagedAttachment:
    """The strokes flattened over the photo, cropped to the photo (the letterbox bars of
    the drawing canvas go), at the photo's resolution, as a JPEG."""
    if not isinstance(background, bytes) or len(background) > MAX_PHOTO_BYTES:
        raise SendRefused("bad_photo", "background is not a photo of at most 8 MiB")
    shown = _photo_size(background)
    canvas = (drawing.width, drawing.height)
    fitted = fit_inside(shown, canvas)
    # Canvas units -> output pixels: the photo keeps its own pixels (up to the long
    # edge prepare_photo makes), the strokes scale with it.
    scale = min(max(shown), ANNOTATED_LONG_EDGE) / max(fitted)
    scale = min(scale, math.sqrt(4096 * 4096 / (canvas[0] * canvas[1])))
    try:
        image = render_image(drawing, scale=scale, base_image=background)
    except ValueError as error:
        raise SendRefused("bad_photo", str(error)) from None
    # Where the renderer put the photo (sketch.render: fitted, centred).
    inner = fit_inside(shown, image.size)
    left, top = (image.width - inner[0]) // 2, (image.height - inner[1]) // 2
    image = image.crop((left, top, left + inner[0], top + inner[1]))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=ANNOTATED_QUALITY)
    return _photo(buffer.getvalue())


def _photo_size(data: bytes) -> tuple[int, int]:
    """Width and height of the photo as shown (EXIF quarter turns applied)."""
    try:
        with Image.open(io.BytesIO(data)) as photo:
            if photo.format not in ("JPEG", "PNG"):
                raise SendRefused("bad_photo", f"background is {photo.format}")
            turned = photo.getexif().get(0x0112, 1) in _QUARTER_TURNS
            return (photo.height, photo.width) if turned else photo.size
    except SendRefused:
        raise
    except Exception as error:  # hostile or damaged bytes break a decoder in many ways
        raise SendRefused("bad_photo", type(error).__name__) from None

