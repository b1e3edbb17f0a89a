"""Uploaded pictures are decoded for real before they are stored.

A magic number proves nothing: random bytes behind ``FF D8 FF`` or a PNG header that
claims 100000 x 100000 pixels would reach every terminal of a site, which would then
fail on them. So the server decodes each upload with Pillow, within the caps the
terminals apply when they show a picture (``MAX_PICTURE_SIDE``, ``MAX_PICTURE_PIXELS``).
A JPEG is decoded at 1/8 scale: every entropy-coded block is still read and checked,
at a fraction of the cost. At most ``DECODERS`` uploads decode at once.
"""

from __future__ import annotations

import io
import threading

from PIL import Image

from contract import error_codes as errors
from server.protocol.common import MAX_PICTURE_PIXELS, MAX_PICTURE_SIDE
from server.repo import Refused

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
DECODERS = 2
_decoding = threading.BoundedSemaphore(DECODERS)


def _invalid(content_type: str, why: str) -> Refused:
    return Refused(errors.INVALID_IMAGE, f"the bytes are not a usable {content_type}: {why}")


def check_picture(content: bytes, content_type: str) -> tuple[int, int]:
    """(width, height) of a picture that decodes as ``content_type`` within the caps;
    else Refused(invalid_image) saying why. Blocking: call it off the event loop."""
    expected = FORMATS[content_type]
    with _decoding:
        try:
            image = Image.open(io.BytesIO(content), formats=[expected])
        except Image.DecompressionBombError:
            raise _invalid(content_type, "far too many pixels") from None
        except Exception:  # Pillow's parsers raise many types on bad input
            raise _invalid(content_type, "it does not decode") from None
        with image:
            width, height = image.size
            if max(width, height) > MAX_PICTURE_SIDE or width * height > MAX_PICTURE_PIXELS:
                raise _invalid(content_type, f"{width}x{height} is over the "
                               f"{MAX_PICTURE_SIDE}x{MAX_PICTURE_SIDE} limit")
            if expected == "JPEG":
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            try:
                image.load()
            except Exception:  # truncated, corrupt entropy data, bad CRC...
                raise _invalid(content_type, "its pixel data is damaged") from None
    return width, height
