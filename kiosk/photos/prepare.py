"""``prepare_photo``: a camera photo in, an upright, metadata-free, outbox-sized JPEG out."""

from __future__ import annotations

import hashlib
import io
import logging
import time
from dataclasses import dataclass, field

from PIL import ExifTags, Image

from kiosk.photos import color, decode, resize
from kiosk.photos.decode import Source

log = logging.getLogger(__name__)

DEFAULT_LONG_EDGE = 1600
DEFAULT_QUALITY = 85
# 50 MP: above any phone or terminal camera in JPEG mode (12-48 MP), far below what a
# crafted header can claim. Decoding 50 MP at full size needs ~200 MB of RAM.
MAX_PIXELS = 50_000_000
# Camera JPEGs are a few MB; 40 MB leaves room for big PNG screenshots and nothing more.
MAX_BYTES = 40 * 1024 * 1024
CONTENT_TYPE = "image/jpeg"

# Final filter, from the DCT-scaled decode (for JPEG, usually less than 2x the target per
# axis) down to the target. HAMMING is Pillow's cheap downscaling filter (no BOX
# "dislocations"). On the 12 MP bench photo its q85 output is within 0.3 dB PSNR of
# Lanczos (the JPEG loss dominates) for about half the resize time; on sharp synthetic
# text it trails Lanczos by ~3 dB but stays crisp. BICUBIC/LANCZOS push a busy 2-core
# machine past the 150 ms budget. `bench/photo_prepare.py --compare-filters` measures it.
RESAMPLE = Image.Resampling.HAMMING
# Non-JPEG sources decode at full size; ``reducing_gap`` lets Pillow box-reduce by an
# integer factor first. 3.0 is where Pillow documents the result as indistinguishable.
REDUCING_GAP = 3.0

# EXIF Orientation (tag 0x0112) value -> the transpose that shows the image upright.
_UPRIGHT: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True, slots=True)
class PreparedPhoto:
    """An outbox-ready photo: baseline JPEG bytes and what the outbox records about them.

    ``data`` is left out of ``repr`` so that logging this object never dumps the image.
    """

    data: bytes = field(repr=False)
    sha256: str
    """Lowercase hex SHA-256 of ``data``."""
    width: int
    height: int
    content_type: str = CONTENT_TYPE

    @property
    def size(self) -> int:
        """Length of ``data`` in bytes."""
        return len(self.data)


def prepare_photo(
    source: Source,
    *,
    long_edge: int = DEFAULT_LONG_EDGE,
    quality: int = DEFAULT_QUALITY,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_BYTES,
) -> PreparedPhoto:
    """Turn an untrusted photo into the JPEG that goes into the outbox.

    ``source`` is the encoded photo (bytes-like) or a path to it. Accepted formats are
    JPEG, PNG, WebP, GIF, BMP and TIFF (first frame only).

    The result:

    * is upright: the EXIF Orientation (all 8 values) is applied to the pixels;
    * has its long edge scaled down to ``long_edge`` pixels, aspect ratio kept (rounded),
      and is never scaled up; a JPEG that libjpeg's DCT scaling brings within 90 % of
      ``long_edge`` is kept at that size (4000x3000 -> 1500x1125: no second resize);
    * is 8-bit RGB in sRGB: an embedded ICC profile is converted from (or dropped when
      unusable), CMYK/greyscale/palette/16-bit are converted, alpha is flattened on white;
    * carries no metadata at all: no EXIF (so no GPS), XMP, ICC profile, comment or
      thumbnail; only the JFIF header libjpeg always writes;
    * is a baseline JPEG at ``quality`` with 4:2:0 chroma subsampling.

    ``long_edge`` (>= 1) and ``quality`` (1..95, libjpeg scale) shape the output;
    ``max_pixels`` (width x height declared by the header) and ``max_bytes`` (encoded
    size) bound what is accepted, checked before any pixel is decoded.

    Raises :class:`PhotoError` for any bad input (its ``reason`` says which: see
    :class:`PhotoErrorReason`), ``ValueError`` for bad arguments and ``TypeError`` for a
    source that is neither bytes nor a path. Safe to call from worker threads; Pillow
    releases the GIL while decoding, resizing and encoding, and a big photo's resize is
    split with one helper thread (``kiosk.photos.resize``). Never logs image content.
    """
    if long_edge < 1:
        raise ValueError(f"long_edge must be >= 1, not {long_edge}")
    if not 1 <= quality <= 95:
        raise ValueError(f"quality must be within 1..95, not {quality}")
    started = time.perf_counter()
    data = decode.read_source(source, max_bytes)
    with decode.open_image(data, max_pixels) as im:
        source_format, source_size = im.format, im.size
        decode.decode(im, fit_within(im.size, long_edge))
        # The decoded size (a JPEG may come DCT-scaled to a little under the long edge:
        # kept as it is, never scaled back up).
        target = fit_within(im.size, long_edge)
        orientation = read_orientation(im)
        icc_profile = im.info.get("icc_profile")
        pixels = color.to_working_mode(im)
        # Resized and turned upright in one step (split over two threads when big).
        pixels = resize.resize_upright(pixels, target, RESAMPLE, REDUCING_GAP,
                                       _UPRIGHT.get(orientation))
        # Per-pixel steps, on the small image, so cheap (and indifferent to the rotation).
        pixels = color.flatten(pixels)
        pixels = color.to_srgb(pixels, icc_profile)
        encoded = _encode_jpeg(pixels, quality)
    photo = PreparedPhoto(
        data=encoded,
        sha256=hashlib.sha256(encoded).hexdigest(),
        width=pixels.width,
        height=pixels.height,
    )
    log.debug(
        "photo %s %dx%d (%d B) -> JPEG %dx%d (%d B) in %.1f ms",
        source_format,
        source_size[0],
        source_size[1],
        len(data),
        photo.width,
        photo.height,
        photo.size,
        (time.perf_counter() - started) * 1000,
    )
    return photo


def fit_within(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """The size with the long edge capped at ``long_edge``, aspect kept, never larger."""
    width, height = size
    longest = max(width, height)
    if longest <= long_edge:
        return size
    scale = long_edge / longest
    # Rounded, and at least 1 px so a 1x10000 strip stays an image.
    return max(1, round(width * scale)), max(1, round(height * scale))


def read_orientation(im: Image.Image) -> int:
    """The EXIF Orientation of ``im`` (1..8); 1 when absent, invalid or unreadable."""
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception as exc:  # a damaged EXIF block must not cost the photo
        log.info("unreadable EXIF ignored (%s)", type(exc).__name__)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _encode_jpeg(im: Image.Image, quality: int) -> bytes:
    # The pixels were derived from the source image and Pillow copies ``info`` along
    # (comment, XMP, ICC, EXIF, DPI); the JPEG encoder reads the comment from it. Drop
    # it all, and pass the metadata keywords empty for good measure.
    im.info = {}
    out = io.BytesIO()
    # Measured on the 12 MP bench photo: optimize=True (a second Huffman pass) saves ~3 %
    # of bytes for ~2.5x the encode time, progressive ~5 % for ~6x. Neither pays off.
    im.save(out, "JPEG", quality=quality, optimize=False, exif=b"", icc_profile=None, comment=b"")
    return out.getvalue()
