"""Reading and decoding untrusted photo bytes into a Pillow image, or a :class:`PhotoError`.

Everything that touches Pillow's parsers/decoders lives here, so that the one place
turning their many exception types into reason codes is easy to audit.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from kiosk.photos.errors import PhotoError, PhotoErrorReason

log = logging.getLogger(__name__)

# Only formats a camera or phone plausibly produces. Restricting ``Image.open`` keeps
# Pillow's more exotic parsers (EPS via Ghostscript, PSD, ICO, ...) away from untrusted
# input and skips probing them. (Phone JPEGs with extra frames come back as "MPO": the
# JPEG opener returns them, MPO itself is not an opener name.)
ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")

# Magic numbers of the accepted formats: bytes that start like one of these but that
# Pillow cannot open are "corrupt"; anything else is "not an image".
_SIGNATURES: tuple[bytes, ...] = (
    b"\xff\xd8\xff",  # JPEG / MPO
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)

Source = bytes | bytearray | memoryview | str | os.PathLike[str]


def read_source(source: Source, max_bytes: int) -> bytes:
    """Return the encoded bytes of ``source`` (bytes-like, or a file path).

    Raises PhotoError ``unreadable`` if the path cannot be read, ``empty`` for zero
    bytes and ``too_large`` beyond ``max_bytes`` (checked before reading a file, so a
    huge file is never pulled into memory).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        data = _read_file(Path(source), max_bytes)
    else:
        raise TypeError(f"photo source must be bytes or a path, not {type(source).__name__}")
    if not data:
        raise PhotoError(PhotoErrorReason.EMPTY, "photo is empty (0 bytes)")
    if len(data) > max_bytes:
        raise PhotoError(
            PhotoErrorReason.TOO_LARGE, f"photo is {len(data)} bytes, limit {max_bytes}"
        )
    return data


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise PhotoError(
                    PhotoErrorReason.TOO_LARGE, f"photo file is {size} bytes, limit {max_bytes}"
                )
            # Read one byte past the limit: a file still growing is caught by the caller.
            return f.read(max_bytes + 1)
    except OSError as exc:
        raise PhotoError(
            PhotoErrorReason.UNREADABLE, f"cannot read photo file {path}: {exc.strerror or exc}"
        ) from exc


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    """Parse the header of ``data`` (no pixel decoding yet) and enforce the pixel limit.

    The effective limit is the smaller of ``max_pixels`` and Pillow's process-wide
    ``Image.MAX_IMAGE_PIXELS``: an image Pillow warns about (DecompressionBombWarning) is
    always refused here, and one it refuses (DecompressionBombError) becomes a
    PhotoError. We do not change Pillow's global, since other code in the process (the
    UI) shares it. For the same reason the warning itself is not silenced: that would
    need ``warnings.catch_warnings``, which is process-wide and not thread-safe.
    """
    try:
        im = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except Exception as exc:  # Pillow parsers raise many types on bad input
        raise _classify_failure(data, exc) from exc
    width, height = im.size
    limit = max_pixels
    if Image.MAX_IMAGE_PIXELS is not None:
        limit = min(limit, int(Image.MAX_IMAGE_PIXELS))
    if width * height > limit:
        im.close()
        raise _too_many_pixels(f"{width}x{height} exceeds {limit} pixels")
    return im


def decode(im: Image.Image, target: tuple[int, int]) -> None:
    """Decode the pixels of ``im`` in place, letting JPEG decode straight at a smaller size.

    For JPEG, ``Image.draft`` makes libjpeg scale in the DCT domain by 1/2, 1/4 or 1/8
    while decoding: Pillow picks the largest reduction whose result is still at least
    ``target`` on both axes, so the later resize only ever shrinks. That skips most of
    the IDCT, colour conversion and memory traffic of a full 12 MP decode and leaves a
    far smaller image for the final filter. (The Huffman decoding of every coefficient
    remains, so decode time still grows with the file size.) Other formats decode at
    full size.
    """
    if im.format in ("JPEG", "MPO") and target != im.size:
        eighths = dct_eighths(im.size, target)
        if eighths == 3:
            _draft_three_eighths(im)
        else:
            # Keep the decoder's own mode (RGB, L or CMYK): draft may only change
            # YCbCr to RGB or L, never convert CMYK.
            im.draft(im.mode, scaled(im.size, eighths))
    try:
        im.load()
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except EOFError as exc:
        raise PhotoError(PhotoErrorReason.TRUNCATED, "photo data ends early") from exc
    except MemoryError as exc:  # within the pixel limit, but not on this device
        raise _too_many_pixels("not enough memory to decode the photo") from exc
    except Exception as exc:  # decoders raise OSError, ValueError, ...
        if "truncated" in str(exc).lower():
            raise PhotoError(PhotoErrorReason.TRUNCATED, "photo data ends early") from exc
        raise PhotoError(
            PhotoErrorReason.CORRUPT, f"cannot decode {im.format} photo ({type(exc).__name__})"
        ) from exc


# A DCT-scaled JPEG at least this share of the target's long edge is kept as decoded,
# without a resize: libjpeg's scaled IDCT is itself a good downscale (within ~2 levels
# of Lanczos), and the resize it saves is a third of the whole pipeline's time.
KEEP_SCALED_FROM = 0.9
# What libjpeg-turbo reaches through Pillow's decoder (scale_num 1 / scale_denom d picks
# M/8 with M = ceil(8 / d)): 1/8, 2/8, 3/8, 4/8 and 8/8.
_EIGHTHS = (1, 2, 3, 4, 8)


def scaled(size: tuple[int, int], eighths: int) -> tuple[int, int]:
    """The size libjpeg decodes ``size`` to at ``eighths``/8 (it rounds up)."""
    return -(-size[0] * eighths // 8), -(-size[1] * eighths // 8)


def dct_eighths(size: tuple[int, int], target: tuple[int, int]) -> int:
    """The smallest DCT scale (in eighths) whose long edge is still close to the target's.

    4000x3000 to a 1600 px long edge: 3/8 (1500x1125, kept as is, no resize); 3200x2400:
    4/8 (1600x1200); 2400x1800: 8/8 (then resized to 1600x1200).
    """
    wanted = max(target) * KEEP_SCALED_FROM
    return next(m for m in _EIGHTHS if max(scaled(size, m)) >= wanted or m == 8)


def _draft_three_eighths(im: Image.Image) -> None:
    """``Image.draft`` for 3/8, a scale its public API does not offer (1/2, 1/4, 1/8).

    Sets what ``draft`` sets (the decoder's scale denominator, the tile and the size) to
    the values libjpeg will produce for scale_denom 3 (tests/photos compare the pixels
    with a Lanczos resize).  Should a later Pillow lay its tiles out otherwise, the
    plain 1/2 draft is used.
    """
    try:
        tile = im.tile[0]
        size = scaled(im.size, 3)
        if len(im.tile) != 1 or im.decoderconfig or tile.codec_name != "jpeg":
            raise ValueError("unexpected JPEG tile layout")
        im.tile = [tile._replace(extents=(0, 0, *size))]
        im._size = size  # noqa: SLF001  (what JpegImageFile.draft itself sets)
        im.decoderconfig = (3, 0)
    except (AttributeError, IndexError, TypeError, ValueError):
        log.debug("3/8 JPEG scaling not available; decoding at 1/2")
        im.draft(im.mode, scaled(im.size, 4))


def _too_many_pixels(detail: str = "image declares too many pixels") -> PhotoError:
    return PhotoError(PhotoErrorReason.TOO_MANY_PIXELS, f"{detail} (decompression bomb?)")


def _classify_failure(data: bytes, exc: Exception) -> PhotoError:
    """Map an ``Image.open`` failure to a reason, using the magic number as a hint."""
    if "truncated" in str(exc).lower():
        return PhotoError(PhotoErrorReason.TRUNCATED, "photo header ends early")
    looks_like_image = data.startswith(_SIGNATURES) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )
    if looks_like_image:
        return PhotoError(PhotoErrorReason.CORRUPT, "photo header is damaged")
    if not isinstance(exc, UnidentifiedImageError):
        # Not one of ours and not the usual "cannot identify": worth a trace for us,
        # but only the type name, never the bytes.
        log.debug("unexpected %s while identifying photo", type(exc).__name__)
    return PhotoError(
        PhotoErrorReason.NOT_AN_IMAGE,
        f"not a photo in an accepted format ({', '.join(ACCEPTED_FORMATS)})",
    )
