"""A captured frame becomes the photo attached to a message, on a thread of its own.

The frame goes through the same pipeline as any photo (``prepare_photo``): encoded
once at high quality, then made upright, metadata-free, at most 1600 px on its long
edge and JPEG q85. That takes tens of milliseconds, so it runs on the photo worker,
not on the UI thread and not on the core worker (which must stay free for badges).
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from kiosk.camera.frames import Frame
from kiosk.models import PhotoAttachment
from kiosk.photos import prepare_photo

log = logging.getLogger(__name__)

# The intermediate JPEG only carries the frame to prepare_photo; at 95 its loss is far
# below the final q85 (a PNG would be lossless but costs ~10x the time).
INTERMEDIATE_QUALITY = 95

Deliver = Callable[[Callable[[], None]], None]
_STOP = object()


def develop(frame: Frame) -> PhotoAttachment:
    """The outbox-ready photo of ``frame`` (raises ``PhotoError`` on a broken frame)."""
    encoded = io.BytesIO()
    frame.to_image().save(encoded, "JPEG", quality=INTERMEDIATE_QUALITY)
    photo = prepare_photo(encoded.getvalue())
    return PhotoAttachment(photo.data, photo.sha256, photo.width, photo.height)


class PhotoWorker:
    """One daemon thread developing frames in order; results come back through ``deliver``.

    ``deliver`` runs a callable on the thread that wants the result (Kivy's Clock in
    the app). The thread starts with the first job, so a terminal whose workers never
    take a photo never has it.
    """

    def __init__(self, deliver: Deliver) -> None:
        self._deliver = deliver
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(
        self,
        frame: Frame,
        on_done: Callable[[PhotoAttachment], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="photo-worker",
                                                daemon=True)
                self._thread.start()
        self._jobs.put((frame, on_done, on_error))

    def stop(self, timeout: float = 2.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(_STOP)
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            frame, on_done, on_error = job
            try:
                photo = develop(frame)
            except Exception as exc:  # a bad frame must not kill the worker
                log.warning("captured frame not usable (%s)", type(exc).__name__)
                self._deliver(lambda exc=exc, on_error=on_error: on_error(exc))
            else:
                self._deliver(lambda photo=photo, on_done=on_done: on_done(photo))
