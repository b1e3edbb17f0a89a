"""A camera source's frames onto a texture for the camera screen.

The source (``kiosk.camera``: the test pattern, or OpenCV for a real camera) opens,
reads and releases its device on a thread of its own; the feed only picks up its
newest frame on the UI thread and uploads it (``latest()`` and ``failure`` never
wait). A feed runs while the screen shows it: ``start`` (may raise
``CameraUnavailable``), ``capture`` (freezes the picture on the frame returned),
``resume``, ``stop``. It reports through two callbacks on the UI thread:
``on_texture(texture)`` whenever the picture changed, and ``on_lost(reason)`` once
when the camera stopped working (unplugged, stalled, or never delivered a frame).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture

from kiosk.camera import CameraSource, Frame, open_source

log = logging.getLogger(__name__)

POLL_S = 1 / 30  # how often the source is asked for its newest frame
START_TIMEOUT_S = 6.0  # no first frame by then: there is no usable camera
STALL_S = 3.0  # no new frame for this long while live: the camera went away

OnTexture = Callable[[Texture], None]
OnLost = Callable[[str], None]


class SourceFeed:
    """A kiosk ``CameraSource`` on a texture, with a watchdog for a source that goes quiet."""

    def __init__(self, source: CameraSource, on_texture: OnTexture, on_lost: OnLost) -> None:
        self.source = source
        self.on_texture = on_texture
        self.on_lost = on_lost
        self.texture: Texture | None = None
        self.frozen = False
        self._shown: Frame | None = None
        self._started_at = 0.0
        self._last_frame_at = 0.0
        self._watch: Any = None
        self._lost = False

    def start(self) -> None:
        self.source.start()
        self._shown = None
        self._started_at = time.monotonic()
        self._last_frame_at = 0.0
        self._lost = False
        self.frozen = False
        self._watch = Clock.schedule_interval(self._check, POLL_S)

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        self.texture = None  # the last picture is not kept in GPU memory either
        self._shown = None
        self.source.stop()

    def capture(self) -> Frame | None:
        if self._shown is not None:
            self.frozen = True  # the frame on screen is the photo: what you see is sent
        return self._shown

    def resume(self) -> None:
        self.frozen = False
        self._last_frame_at = time.monotonic()  # the pause is no stall

    def _check(self, _dt: float) -> None:
        if self.frozen or self._lost:  # a photo taken stays usable even if the camera goes
            return
        if self.source.failure:
            self._fail(self.source.failure)
            return
        self._poll()
        now = time.monotonic()
        if self._last_frame_at == 0.0:
            if now - self._started_at > START_TIMEOUT_S:
                self._fail("no_frame")
        elif now - self._last_frame_at > STALL_S:
            self._fail("stalled")

    def _poll(self) -> None:
        frame = self.source.latest()
        if frame is None or (self._shown is not None and frame.seq == self._shown.seq):
            return
        self._last_frame_at = time.monotonic()
        self._upload(frame.preview or frame)
        self._shown = frame  # the full frame is what a capture takes

    def _upload(self, image: Frame) -> None:
        fmt = image.mode.lower()
        texture = self.texture
        if texture is None or texture.size != (image.width, image.height) \
                or texture.colorfmt != fmt:
            texture = Texture.create(size=(image.width, image.height), colorfmt=fmt)
            if not image.bottom_up:
                texture.flip_vertical()  # GL's first row is the bottom one
            self.texture = texture
        texture.blit_buffer(image.pixels, colorfmt=fmt, bufferfmt="ubyte")
        self.on_texture(texture)

    def _fail(self, reason: str) -> None:
        if self._lost:
            return
        self._lost = True
        log.warning("camera lost (%s)", reason)
        self.stop()
        self.on_lost(reason)


def open_feed(
    source: str,
    index: int,
    virtual: CameraSource | None,
    on_texture: OnTexture,
    on_lost: OnLost,
) -> SourceFeed:
    """The feed for ``camera.source``; raises ``CameraUnavailable`` when there is no camera."""
    return SourceFeed(open_source(source, index, virtual), on_texture, on_lost)
