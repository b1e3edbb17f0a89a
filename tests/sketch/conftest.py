"""Fixtures for the sketch tests: decode a render, make a photo. Handed out as fixtures."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image


@pytest.fixture
def decode() -> Callable[[bytes], Image.Image]:
    """PNG bytes -> RGB image, after checking they are a PNG."""

    def decode(png: bytes) -> Image.Image:
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG"
            return image.convert("RGB")

    return decode


@pytest.fixture
def make_photo() -> Callable[..., bytes]:
    """A JPEG or PNG of solid colour ``color`` (or ``left``/``right`` halves)."""

    def make_photo(size: tuple[int, int] = (80, 60), color: str = "#0000ff", *,
                   right: str | None = None, fmt: str = "JPEG",
                   orientation: int | None = None) -> bytes:
        image = Image.new("RGB", size, color)
        if right is not None:
            image.paste(right, (size[0] // 2, 0, size[0], size[1]))
        options = {"quality": 95} if fmt == "JPEG" else {}
        if orientation is not None:
            exif = Image.Exif()
            exif[0x0112] = orientation
            options["exif"] = exif
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    return make_photo
