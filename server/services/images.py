"""Uploaded pictures are decoded for real before they are stored.

A magic number proves nothing: random bytes behind ``FF D8 FF`` or a PNG header that
claims 100000 x 100000 pixels would reach every terminal of a site, which would then
fail on them. So the server decodes each upload with Pillow, within the caps the
terminals apply when they show a picture (``MAX_PICTURE_SIDE``, ``MAX_PICTURE_PIXELS``).
A JPEG is decoded at 1/8 scale: every entropy-coded block is still read and checked,
at a fraction of the cost; a JPEG of more than ``MAX_JPEG_SCANS`` scans (each one is
decoded again in full) is refused before any decoding. Decoding runs on its own pool of
``DECODERS`` threads (``check_picture_async``): uploads waiting their turn hold none of
the threads that pushes and pulls need.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from contract import error_codes as errors
from server.protocol.common import MAX_PICTURE_PIXELS, MAX_PICTURE_SIDE
from server.repo import Refused

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
DECODERS = 2
# A progressive JPEG from a camera or Pillow has about 10 scans; a file of thousands of
# tiny scans costs seconds to decode and proves only that someone made it so.
MAX_JPEG_SCANS = 100
_decoders = ThreadPoolExecutor(max_workers=DECODERS, thread_name_prefix="picture-check")


def _invalid(content_type: str, why: str) -> Refused:
    return Refused(errors.INVALID_IMAGE, f"the bytes are not a usable {content_type}: {why}")


def check_picture(content: bytes, content_type: str) -> tuple[int, int]:
    """(width, height) of a picture that decodes as ``content_type`` within the caps;
    else Refused(invalid_image) saying why. Blocking: call it off the event loop."""
    expected = FORMATS[content_type]
    # A start-of-scan marker: in entropy-coded data every 0xFF is followed by 0x00.
    if expected == "JPEG" and content.count(b"\xff\xda") > MAX_JPEG_SCANS:
        raise _invalid(content_type, f"more than {MAX_JPEG_SCANS} scans")
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


async def check_picture_async(content: bytes, content_type: str) -> tuple[int, int]:
    """``check_picture`` on the decoders' own pool."""
    return await asyncio.wrap_future(_decoders.submit(check_picture, content, content_type))
