"""A drawing message's picture: the server renders the strokes to PNG once, on arrival.

Same renderer as the terminal (``sketch``), same defaults, so the picture every
recipient gets is the one the sender saw (byte for byte with the same Pillow). It is
stored content-addressed like an uploaded photo and named by the message's
``attachment_sha256``: pull then hands terminals an ``attachment`` to download, and
expiry deletes it with the message.
"""

from __future__ import annotations

import hashlib
import logging
import time

from server.protocol import errors
from server.protocol.push import Drawing as WireDrawing
from server.repo import Refused
from sketch import Drawing, DrawingError, render_png

log = logging.getLogger("server.drawings")

CONTENT_TYPE = "image/png"


def render(drawing: WireDrawing) -> tuple[str, bytes]:
    """(sha256, PNG bytes) of a validated wire drawing; Refused(invalid_payload) if the
    renderer's stricter model refuses it."""
    started = time.perf_counter()
    try:
        png = render_png(Drawing.from_wire(drawing.model_dump()))
    except (DrawingError, ValueError) as error:
        raise Refused(errors.INVALID_PAYLOAD, f"drawing: {error}") from None
    log.debug("rendered a %dx%d drawing, %d strokes, in %.1f ms", drawing.width,
              drawing.height, len(drawing.strokes), (time.perf_counter() - started) * 1000)
    return hashlib.sha256(png).hexdigest(), png
