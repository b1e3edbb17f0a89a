"""EXIF orientation: every photo comes out upright, whatever way the camera was held."""

from __future__ import annotations

import pytest

from kiosk.photos import prepare_photo
from tests.kiosk.photos.samples import (
    QUADRANTS,
    close_to,
    decode,
    encode,
    exif_bytes,
    stored_for_orientation,
)

WIDTH, HEIGHT = 64, 40  # upright size; not square, so a missed rotation shows in the size


def upright_quadrants(im) -> list[tuple[int, int, int]]:
    """Colours at the centres of the four quadrants of ``im``: TL, TR, BL, BR."""
    w, h = im.size
    return [im.getpixel((x, y)) for y in (h // 4, 3 * h // 4) for x in (w // 4, 3 * w // 4)]


def assert_upright(data: bytes, width: int, height: int) -> None:
    out = decode(data)
    assert out.size == (width, height)
    for actual, expected in zip(upright_quadrants(out), QUADRANTS, strict=True):
        assert close_to(actual, expected), (actual, expected)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_each_exif_orientation_comes_out_upright(orientation):
    stored = stored_for_orientation(orientation, WIDTH, HEIGHT)
    source = encode(stored, quality=95, exif=exif_bytes(orientation))

    photo = prepare_photo(source)

    assert (photo.width, photo.height) == (WIDTH, HEIGHT)
    assert_upright(photo.data, WIDTH, HEIGHT)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_is_right_after_dct_downscale(orientation):
    # 512x320 to a 100 px long edge: the decoder drafts at 1/4, then resizes.
    stored = stored_for_orientation(orientation, WIDTH, HEIGHT, scale=8)
    source = encode(stored, quality=95, exif=exif_bytes(orientation))

    photo = prepare_photo(source, long_edge=100)

    assert_upright(photo.data, 100, 62)


@pytest.mark.parametrize("orientation", [6, 8])
def test_png_exif_orientation_is_applied(orientation):
    stored = stored_for_orientation(orientation, WIDTH, HEIGHT)
    source = encode(stored, "PNG", exif=exif_bytes(orientation))

    assert_upright(prepare_photo(source).data, WIDTH, HEIGHT)


@pytest.mark.parametrize("value", [0, 9, 255])
def test_out_of_range_orientation_is_ignored(value):
    stored = stored_for_orientation(1, WIDTH, HEIGHT)
    source = encode(stored, quality=95, exif=exif_bytes(value))

    assert_upright(prepare_photo(source).data, WIDTH, HEIGHT)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow says so; we carry on
def test_damaged_exif_does_not_cost_the_photo():
    stored = stored_for_orientation(1, WIDTH, HEIGHT)
    source = encode(stored, quality=95, exif=b"Exif\x00\x00MM\x00*\x00\x00\xff\xff")

    assert_upright(prepare_photo(source).data, WIDTH, HEIGHT)
