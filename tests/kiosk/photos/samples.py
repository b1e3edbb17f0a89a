"""Photo fixtures built in memory: encoders, hand-made files and inspectors for tests."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
YELLOW = (255, 255, 0)

# Upright quadrant colours of the orientation pattern: top-left, top-right,
# bottom-left, bottom-right. All different, so any flip or rotation shows.
QUADRANTS = (RED, GREEN, BLUE, YELLOW)


def encode(im: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    """``im`` saved in ``fmt`` with Pillow, as bytes."""
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    """Open and load encoded bytes."""
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def quadrant_colour(x: int, y: int, width: int, height: int) -> tuple[int, int, int]:
    """Colour of the upright pattern at (x, y)."""
    return QUADRANTS[(2 if y >= height // 2 else 0) + (1 if x >= width // 2 else 0)]


def stored_for_orientation(
    orientation: int, width: int, height: int, scale: int = 1
) -> Image.Image:
    """The pixels a camera stores for the upright ``width`` x ``height`` pattern.

    Built straight from the EXIF 2.3 definition (which visual side the stored 0th row
    and 0th column are), not from Pillow's transposes, so the tests do not reuse the
    mapping they check. ``scale`` enlarges the result by an integer factor (cheaply,
    with nearest-neighbour, which keeps the pattern exact).
    """
    w, h = width, height

    def visual(x: int, y: int) -> tuple[int, int]:  # stored (x, y) -> upright (x, y)
        return {
            1: (x, y),  # row 0 = top, column 0 = left
            2: (w - 1 - x, y),  # top, right
            3: (w - 1 - x, h - 1 - y),  # bottom, right
            4: (x, h - 1 - y),  # bottom, left
            5: (y, x),  # row 0 = left, column 0 = top
            6: (w - 1 - y, x),  # right, top
            7: (w - 1 - y, h - 1 - x),  # right, bottom
            8: (y, h - 1 - x),  # left, bottom
        }[orientation]

    stored_w, stored_h = (w, h) if orientation <= 4 else (h, w)
    im = Image.new("RGB", (stored_w, stored_h))
    im.putdata(
        [quadrant_colour(*visual(x, y), w, h) for y in range(stored_h) for x in range(stored_w)]
    )
    if scale == 1:
        return im
    return im.resize((stored_w * scale, stored_h * scale), Image.Resampling.NEAREST)


def exif_bytes(orientation: int | None = None, *, gps: bool = False, make: str = "") -> bytes:
    """An EXIF block with the given Orientation, a GPS position and camera make."""
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if make:
        exif[0x010F] = make
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (47.0, 22.0, 0.5), 3: "E", 4: (8.0, 32.0, 1.0)})
    return exif.tobytes()


def insert_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """``jpeg`` with an extra marker segment right after SOI (e.g. APP13 IPTC)."""
    assert jpeg[:2] == b"\xff\xd8"
    segment = bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_segments(jpeg: bytes) -> list[tuple[int, bytes]]:
    """The (marker, payload) segments of a JPEG up to and including SOS."""
    assert jpeg[:2] == b"\xff\xd8", "not a JPEG"
    segments, pos = [], 2
    while pos < len(jpeg):
        assert jpeg[pos] == 0xFF, f"no marker at {pos}"
        marker = jpeg[pos + 1]
        (length,) = struct.unpack(">H", jpeg[pos + 2 : pos + 4])
        segments.append((marker, jpeg[pos + 4 : pos + 2 + length]))
        if marker == 0xDA:  # SOS: entropy-coded data follows
            break
        pos += 2 + length
    return segments


def with_jpeg_size(jpeg: bytes, width: int, height: int) -> bytes:
    """``jpeg`` with the frame header (SOF0) claiming another size."""
    pos = jpeg.index(b"\xff\xc0")
    return jpeg[: pos + 5] + struct.pack(">HH", height, width) + jpeg[pos + 9 :]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def raw_png(
    width: int,
    height: int,
    bit_depth: int,
    colour_type: int,
    pixel: bytes,
    idat: bytes | None = None,
) -> bytes:
    """A PNG written by hand, every pixel ``pixel``; ``idat`` overrides the pixel data.

    Pillow cannot write 16-bit RGB(A) PNGs or lie about sizes; this can.
    """
    if idat is None:
        idat = zlib.compress(b"".join(b"\x00" + pixel * width for _ in range(height)))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def _s15f16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \x00\x00\x00\x00" + _s15f16(x) + _s15f16(y) + _s15f16(z)


def swapped_red_green_icc() -> bytes:
    """An ICC v2 RGB display profile whose red and green primaries are swapped.

    A pixel (200, 30, 30) in this space is a *green*: converting to sRGB must make green
    dominant, while ignoring the profile leaves it red. Built by hand because Pillow can
    only create sRGB, and tests must not depend on system colour profiles.
    """
    d50 = (0.9642, 1.0, 0.8249)
    srgb_red, srgb_green, srgb_blue = (
        (0.4361, 0.2225, 0.0139),
        (0.3851, 0.7169, 0.0971),
        (0.1431, 0.0606, 0.7141),
    )
    curve = b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, 0x0233) + b"\x00\x00"  # gamma 2.2
    text = b"Swapped red/green test profile\x00"
    desc = (
        b"desc\x00\x00\x00\x00" + struct.pack(">I", len(text)) + text + b"\x00" * 12 + b"\x00" * 67
    )
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\x00\x00\x00\x00public domain\x00"),
        (b"wtpt", _xyz(*d50)),
        (b"rXYZ", _xyz(*srgb_green)),  # the swap
        (b"gXYZ", _xyz(*srgb_red)),
        (b"bXYZ", _xyz(*srgb_blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\x00" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"\x00" * 4
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + b"\x00" * 12
        + b"acsp"
        + b"\x00" * 24
        + struct.pack(">I", 0)
        + _s15f16(d50[0])
        + _s15f16(d50[1])
        + _s15f16(d50[2])
        + b"\x00" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    """Every channel of ``actual`` within ``tolerance`` of ``expected`` (JPEG is lossy)."""
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))
