"""A captured frame becomes the photo attached to a message, on a thread of its own.

The frame goes through the same pipeline as any photo (``prepare_photo``): encoded
once at high quality, then made upright, metadata-free, at most 1600 px on its long
edge and JPEG q85. That takes tens of milliseconds, so it runs on the photo worker,
not on the UI thread and not on the core worker (which must stay free for badges).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial

from kiosk.camera.frames import Frame
from kiosk.media_worker import MediaWorker
from kiosk.models import PhotoAttachment
from kiosk.photos import prepare_photo
from kiosk.worker import Deliver

# The intermediate JPEG only carries the frame to prepare_photo; at 95 its loss is far
# below the final q85 (a PNG would be lossless but costs ~10x the time).
INTERMEDIATE_QUALITY = 95

def develop(frame: Frame) -> PhotoAttachment:
    """The outbox-ready photo of ``frame`` (raises ``PhotoError`` on a broken frame)."""
    encoded = io.BytesIO()
    frame.to_image().save(encoded, "JPEG", quality=INTERMEDIATE_QUALITY)
    photo = prepare_photo(encoded.getvalue())
    return PhotoAttachment(photo.data, photo.sha256, photo.width, photo.height)


class PhotoWorker:
    """One daemon thread developing frames in order; results come back through ``deliver``.

    A ``MediaWorker`` of its own (the thread starts with the first job, so a terminal
    whose workers never take a photo never has it), fed with ``develop``.
    """

    def __init__(self, deliver: Deliver) -> None:
        self._media = MediaWorker(deliver, name="photo-worker")

    def submit(
        self,
        frame: Frame,
        on_done: Callable[[PhotoAttachment], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        self._media.submit(partial(develop, frame), on_done, on_error)

    def stop(self, timeout: float = 2.0) -> None:
        self._media.stop(timeout)
