"""Small real pictures for tests: bytes that decode, made with Pillow at run time."""

from __future__ import annotations

import io

from PIL import Image


def png_bytes(width: int = 8, height: int = 8,
              color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width: int = 16, height: int = 16,
               color: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=85)
    return out.getvalue()
