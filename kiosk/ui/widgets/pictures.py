"""Pictures (photos, rendered drawings) turned into Kivy textures without stalling the screen.

Decoding a 1600 px JPEG costs tens of milliseconds, a frame or two: it runs on
one background thread with Pillow (downscaled to the size it will be shown at),
and only the upload of the finished pixels to the GPU happens on Kivy's thread,
through the clock.  A picture that cannot be decoded comes back as ``None``:
the screen shows a placeholder, never a crash.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture

log = logging.getLogger(__name__)

# One thread: pictures are decoded one after the other, in the order asked.
_decoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pictures")

# Refuse absurd headers before decoding (a decompression bomb in a synced attachment):
# photos are at most 1600 px and drawings render at most 4096 px, so anything bigger
# did not come from a terminal.
MAX_PIXELS = 4096 * 4096
FORMATS = ("JPEG", "PNG")  # what terminals and the server produce; no other parser runs


@dataclass(frozen=True)
class Pixels:
    """Decoded RGBA pixels, row 0 at the top (as images store them)."""

    width: int
    height: int
    rgba: bytes = field(repr=False)


def decode(data: bytes, max_size: tuple[int, int]) -> Pixels | None:
    """``data`` (JPEG or PNG) decoded and shrunk to fit ``max_size``; None if unreadable."""
    from PIL import Image, ImageOps  # Pillow only once a picture is shown

    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            image.draft("RGB", max_size)  # JPEG: decode at 1/2, 1/4 or 1/8 scale when it can
            image = ImageOps.exif_transpose(image)
            image.thumbnail(max_size, Image.Resampling.BILINEAR, reducing_gap=2.0)
            rgba = image.convert("RGBA")
            return Pixels(rgba.width, rgba.height, rgba.tobytes())
    except Exception as exc:  # noqa: BLE001  (any decoder failure: show a placeholder)
        log.warning("picture not shown: %s", type(exc).__name__)
        return None


def to_texture(pixels: Pixels) -> Texture:
    """Upload on Kivy's thread (GL calls must come from it)."""
    texture = Texture.create(size=(pixels.width, pixels.height), colorfmt="rgba")
    texture.blit_buffer(pixels.rgba, colorfmt="rgba", bufferfmt="ubyte")
    texture.flip_vertical()  # Kivy's y=0 is the bottom row
    return texture


def load_texture(
    data: bytes, max_size: tuple[int, int], on_ready: Callable[[Texture | None], None]
) -> None:
    """Decode ``data`` off the UI thread; ``on_ready`` gets the texture (or None) on it."""
    size = (max(1, int(max_size[0])), max(1, int(max_size[1])))

    def work() -> None:
        pixels = decode(data, size)
        Clock.schedule_once(lambda _dt: on_ready(to_texture(pixels) if pixels else None))

    _decoder.submit(work)


def load_drawing_texture(
    drawing: Any, background: bytes | None, max_size: tuple[int, int],
    on_ready: Callable[[Texture | None], None],
) -> None:
    """A ``sketch.Drawing`` (over ``background`` if given) rendered small, off the UI thread."""

    def work() -> None:
        pixels = None
        try:
            from sketch import render_image

            scale = min(max_size[0] / drawing.width, max_size[1] / drawing.height, 1.0)
            image = render_image(drawing, scale=scale, base_image=background, supersample=1)
            rgba = image.convert("RGBA")
            pixels = Pixels(rgba.width, rgba.height, rgba.tobytes())
        except Exception as exc:  # noqa: BLE001  (a placeholder rather than a crash)
            log.warning("drawing not shown: %s", type(exc).__name__)
        Clock.schedule_once(lambda _dt: on_ready(to_texture(pixels) if pixels else None))

    _decoder.submit(work)
