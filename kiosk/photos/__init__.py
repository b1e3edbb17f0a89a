"""The terminal's photo pipeline: a camera photo becomes a small, clean outbox JPEG.

Kivy-free on purpose (it runs in a worker thread, in tests and on the server alike)::

    from kiosk.photos import PhotoError, prepare_photo

    try:
        photo = prepare_photo(jpeg_bytes)  # or a Path
    except PhotoError as exc:
        show_error(exc.reason)  # stable code, e.g. "corrupt", "too_many_pixels"
    else:
        outbox.add(photo.data, photo.sha256, photo.width, photo.height, photo.content_type)

See :func:`prepare_photo` for the full contract.
"""

from kiosk.photos.errors import PhotoError, PhotoErrorReason
from kiosk.photos.prepare import (
    CONTENT_TYPE,
    DEFAULT_LONG_EDGE,
    DEFAULT_QUALITY,
    MAX_BYTES,
    MAX_PIXELS,
    PreparedPhoto,
    prepare_photo,
)

__all__ = [
    "CONTENT_TYPE",
    "DEFAULT_LONG_EDGE",
    "DEFAULT_QUALITY",
    "MAX_BYTES",
    "MAX_PIXELS",
    "PhotoError",
    "PhotoErrorReason",
    "PreparedPhoto",
    "prepare_photo",
]
