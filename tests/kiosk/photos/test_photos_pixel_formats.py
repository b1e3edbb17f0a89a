"""Pixel formats: whatever comes in, an 8-bit RGB JPEG with the right colours goes out."""

from __future__ import annotations

import struct

import pytest
from PIL import Image

from kiosk.photos import color, prepare_photo
from tests.kiosk.photos.samples import close_to, decode, encode, raw_png

WHITE = (255, 255, 255)


def centre(photo) -> tuple[int, int, int]:
    out = decode(photo.data)
    assert out.mode == "RGB"
    return out.getpixel((out.width // 2, out.height // 2))


def test_transparent_png_is_flattened_on_white():
    source = encode(Image.new("RGBA", (32, 32), (255, 0, 0, 0)), "PNG")

    assert close_to(centre(prepare_photo(source)), WHITE, 4)


def test_opaque_pixels_of_rgba_png_keep_their_colour():
    source = encode(Image.new("RGBA", (32, 32), (255, 0, 0, 255)), "PNG")

    assert close_to(centre(prepare_photo(source)), (255, 0, 0), 10)


def test_half_transparent_png_is_blended_with_white():
    source = encode(Image.new("RGBA", (32, 32), (255, 0, 0, 128)), "PNG")

    assert close_to(centre(prepare_photo(source)), (255, 127, 127), 10)


def test_alpha_is_flattened_after_downscaling_too():
    source = encode(Image.new("RGBA", (3200, 100), (0, 0, 255, 0)), "PNG")

    photo = prepare_photo(source)

    assert (photo.width, photo.height) == (1600, 50)
    assert close_to(centre(photo), WHITE, 4)


def test_greyscale_with_alpha_is_flattened():
    source = encode(Image.new("LA", (32, 32), (0, 0)), "PNG")

    assert close_to(centre(prepare_photo(source)), WHITE, 4)


def test_palette_png_with_transparent_entry_is_flattened():
    im = Image.new("P", (32, 32), 1)
    im.putpalette([0, 0, 0, 255, 0, 0])
    source = encode(im, "PNG", transparency=1)

    assert close_to(centre(prepare_photo(source)), WHITE, 4)


def test_palette_gif_keeps_its_colours():
    im = Image.new("P", (32, 32), 1)
    im.putpalette([0, 0, 0, 0, 0, 255])

    assert close_to(centre(prepare_photo(encode(im, "GIF"))), (0, 0, 255), 10)


def test_greyscale_jpeg_becomes_rgb():
    source = encode(Image.new("L", (32, 32), 100), quality=95)

    assert close_to(centre(prepare_photo(source)), (100, 100, 100), 4)


def test_greyscale_jpeg_is_downscaled_with_draft():
    source = encode(Image.new("L", (3200, 2400), 100), quality=95)
    photo = prepare_photo(source)

    assert (photo.width, photo.height) == (1600, 1200)
    assert close_to(centre(photo), (100, 100, 100), 4)


def test_bilevel_png_becomes_rgb():
    source = encode(Image.new("1", (32, 32), 1), "PNG")

    assert close_to(centre(prepare_photo(source)), WHITE, 4)


def test_cmyk_jpeg_becomes_rgb_with_the_right_colour():
    source = encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), quality=95)

    assert close_to(centre(prepare_photo(source)), (255, 0, 0), 20)


def test_large_cmyk_jpeg_is_downscaled():
    source = encode(Image.new("CMYK", (3200, 2400), (255, 0, 255, 0)), quality=90)
    photo = prepare_photo(source)

    assert (photo.width, photo.height) == (1600, 1200)
    assert close_to(centre(photo), (0, 255, 0), 20)


def test_16bit_greyscale_png_is_scaled_not_clipped():
    # 0x8000 is mid-grey; a clipping conversion would give white.
    source = raw_png(16, 16, 16, 0, struct.pack(">H", 0x8000))
    assert decode(source).mode == "I;16"

    assert close_to(centre(prepare_photo(source)), (128, 128, 128), 4)


def test_48bit_rgb_png_keeps_its_colours():
    source = raw_png(16, 16, 16, 2, struct.pack(">HHH", 0xFFFF, 0x8000, 0x0000))

    assert close_to(centre(prepare_photo(source)), (255, 128, 0), 10)


def test_64bit_rgba_png_is_flattened():
    source = raw_png(16, 16, 16, 6, struct.pack(">HHHH", 0, 0, 0xFFFF, 0))

    assert close_to(centre(prepare_photo(source)), WHITE, 4)


def test_32bit_integer_tiff_becomes_rgb():
    source = encode(Image.new("I", (16, 16), 40000), "TIFF")  # 16-bit values in 32 bits

    assert close_to(centre(prepare_photo(source)), (156, 156, 156), 4)


def test_float_tiff_becomes_rgb():
    source = encode(Image.new("F", (16, 16), 0.5), "TIFF")

    assert close_to(centre(prepare_photo(source)), (127, 127, 127), 4)


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF"])
def test_other_camera_formats_are_accepted(fmt):
    source = encode(Image.new("RGB", (32, 32), (0, 128, 255)), fmt)

    assert close_to(centre(prepare_photo(source)), (0, 128, 255), 10)


def test_lab_tiff_becomes_rgb():
    # A mode no camera writes, to exercise the generic conversion.
    source = encode(Image.new("LAB", (16, 16), (255, 128, 128)), "TIFF")

    assert close_to(centre(prepare_photo(source)), WHITE, 30)


@pytest.mark.parametrize("mode", Image.MODES)
def test_every_pillow_mode_converts_to_rgb(mode):
    # Whatever a decoder hands over (including modes no camera writes), the colour stage
    # ends in RGB instead of raising.
    im = Image.new(mode, (4, 4))

    assert color.to_srgb(color.flatten(color.to_working_mode(im)), None).mode == "RGB"
