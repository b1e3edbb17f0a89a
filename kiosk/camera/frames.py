"""What a camera source hands out: frames of raw pixels, and the contract of a source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # Pillow only where a frame becomes an image (the photo worker)
    from PIL import Image


class CameraUnavailable(RuntimeError):
    """No camera to show: none configured, no provider, no device, or it stopped working.

    ``reason`` is a short stable code for logs ("none", "no_provider", "no_device",
    "lost", "stalled"); the screen says the same thing to the worker whatever the reason.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Frame:
    """One picture from a camera: 8-bit pixels, rows top first unless ``bottom_up``.

    ``pixels`` is ``width * height`` samples of ``mode`` ("RGB" or "RGBA"); GPU
    read-backs come bottom row first, hence the flag. ``seq`` grows by one per frame
    of a source, so a consumer can tell a new frame from the one it already has.
    ``preview`` is an optional smaller copy for the screen, made on the source's
    thread: uploading a full 1280x720 frame to a texture costs the UI thread ~15 ms
    with software rendering, a 640x360 one a quarter of that.
    """

    width: int
    height: int
    pixels: bytes = field(repr=False)  # a photo of someone: never in a log line
    seq: int = 0
    mode: str = "RGB"
    bottom_up: bool = False
    preview: Frame | None = field(default=None, repr=False)

    def to_image(self) -> Image.Image:
        """The frame as an upright RGB Pillow image."""
        from PIL import Image

        im = Image.frombuffer(self.mode, (self.width, self.height), self.pixels, "raw",
                              self.mode, 0, 1)
        if self.bottom_up:
            im = im.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        return im if im.mode == "RGB" else im.convert("RGB")


class CameraSource(Protocol):
    """A camera the terminal can show and capture from, without Kivy.

    ``start`` may raise :class:`CameraUnavailable`. Frames are produced off the UI
    thread; ``latest`` only hands over the newest one (cheap, any thread).
    ``failure`` turns non-empty when a started camera stops working (unplugged).
    """

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def latest(self) -> Frame | None: ...

    @property
    def failure(self) -> str: ...
