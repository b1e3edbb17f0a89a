"""The final resize, split over two threads for big photos, equals the one-piece resize."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from kiosk.photos import prepare_photo
from kiosk.photos.resize import PARALLEL_MIN_PIXELS, resize_upright
from tests.kiosk.photos.samples import close_to, decode, encode, exif_bytes

T = Image.Transpose
SOURCE = (1400, 1000)  # above PARALLEL_MIN_PIXELS: the split path
TARGET = (1120, 800)


@pytest.fixture(scope="module")
def busy_photo() -> Image.Image:
    """Noise over gradients: any seam or misplaced half shows."""
    assert SOURCE[0] * SOURCE[1] >= PARALLEL_MIN_PIXELS
    noise = Image.effect_noise(SOURCE, 60)
    ramp = Image.linear_gradient("L").resize(SOURCE)
    return Image.merge("RGB", (noise, ramp, ramp.transpose(T.FLIP_LEFT_RIGHT)))


@pytest.mark.parametrize("transpose", [None, *T], ids=lambda t: getattr(t, "name", "none"))
def test_split_resize_equals_the_one_piece_resize_for_every_rotation(busy_photo, transpose):
    whole = busy_photo.resize(TARGET, Image.Resampling.HAMMING)
    if transpose is not None:
        whole = whole.transpose(transpose)

    split = resize_upright(busy_photo, TARGET, Image.Resampling.HAMMING, None, transpose)

    assert split.size == whole.size and split.mode == whole.mode
    _low, high = zip(*ImageChops.difference(split, whole).getextrema(), strict=True)
    assert max(high) <= 1  # rounding at most: no seam, no half in the wrong place


def test_small_images_are_resized_in_one_piece():
    small = Image.new("L", (900, 900), 128)  # 0.81 MP
    out = resize_upright(small, (450, 450), Image.Resampling.HAMMING, None, T.ROTATE_90)
    assert out.size == (450, 450) and out.getextrema() == (128, 128)


def test_a_big_rotated_camera_photo_comes_out_upright_at_the_right_size():
    # 2400x1600 stored sideways (orientation 6: turn clockwise), red on the stored top.
    stored = Image.new("RGB", (2400, 1600), (0, 0, 200))
    stored.paste((200, 0, 0), (0, 0, 2400, 800))
    photo = prepare_photo(encode(stored, quality=90, exif=exif_bytes(6)))
    out = decode(photo.data)
    assert out.size == (1067, 1600) == (photo.width, photo.height)
    assert close_to(out.getpixel((1000, 800)), (200, 0, 0))  # the stored top is now right
    assert close_to(out.getpixel((60, 800)), (0, 0, 200))
