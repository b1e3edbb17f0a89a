"""A captured frame becomes the photo attached to a message.

The frame goes through the same pipeline as any photo (``prepare_photo``): encoded
once at high quality, then made upright, metadata-free, at most 1600 px on its long
edge and JPEG q85. That takes tens of milliseconds, so the station runs it on the
runtime's media worker (``Station.develop_photo``), not on the UI thread and not on the
core worker (which must stay free for badges).
"""

from __future__ import annotations

import io

from kiosk.camera.frames import Frame
from kiosk.domain.models import PhotoAttachment
from kiosk.photos import prepare_photo

# The intermediate JPEG only carries the frame to prepare_photo; at 95 its loss is far
# below the final q85 (a PNG would be lossless but costs ~10x the time).
INTERMEDIATE_QUALITY = 95

def develop(frame: Frame) -> PhotoAttachment:
    """The outbox-ready photo of ``frame`` (raises ``PhotoError`` on a broken frame)."""
    encoded = io.BytesIO()
    frame.to_image().save(encoded, "JPEG", quality=INTERMEDIATE_QUALITY)
    photo = prepare_photo(encoded.getvalue())
    return PhotoAttachment(photo.data, photo.sha256, photo.width, photo.height)
