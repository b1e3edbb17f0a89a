"""Camera frames onto a texture for the camera screen: a kiosk source, or Kivy's provider.

A feed owns the device while the screen shows it: ``start`` (may raise
``CameraUnavailable``), ``capture`` (freezes the picture on the frame returned),
``resume``, ``stop``. It reports through two callbacks on the UI thread:
``on_texture(texture)`` whenever the picture changed, and ``on_lost(reason)`` once
when the camera stopped working (unplugged, or never delivered a frame). Nothing
here raises into Kivy's loop: a provider that fails inside its own clock callback is
caught and reported as lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture

from kiosk.camera import CameraSource, CameraUnavailable, Frame

if TYPE_CHECKING:
    from kiosk.camera.virtual import VirtualCamera

log = logging.getLogger(__name__)

POLL_S = 1 / 30  # how often a kiosk source is asked for its newest frame
START_TIMEOUT_S = 6.0  # no first frame by then: there is no usable camera
STALL_S = 3.0  # no new frame for this long while live: the camera went away
PROVIDER_RESOLUTION = (1280, 720)

OnTexture = Callable[[Texture], None]
OnLost = Callable[[str], None]


class Feed:
    """The common part: the start/stall watchdog and the frozen flag."""

    def __init__(self, on_texture: OnTexture, on_lost: OnLost) -> None:
        self.on_texture = on_texture
        self.on_lost = on_lost
        self.texture: Texture | None = None
        self.frozen = False
        self._started_at = 0.0
        self._last_frame_at = 0.0
        self._watch: Any = None
        self._lost = False

    def start(self) -> None:
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

    def capture(self) -> Frame | None:
        raise NotImplementedError

    def resume(self) -> None:
        self.frozen = False
        self._last_frame_at = time.monotonic()  # the pause is no stall

    def _check(self, _dt: float) -> None:
        self.poll()
        now = time.monotonic()
        if self.frozen or self._lost:
            return
        if self._last_frame_at == 0.0:
            if now - self._started_at > START_TIMEOUT_S:
                self._fail("no_frame")
        elif now - self._last_frame_at > STALL_S:
            self._fail("stalled")

    def poll(self) -> None:
        """Pick up a new frame, if the feed pulls them."""

    def _got_frame(self) -> None:
        self._last_frame_at = time.monotonic()

    def _fail(self, reason: str) -> None:
        if self._lost:
            return
        self._lost = True
        log.warning("camera lost (%s)", reason)
        self.stop()
        self.on_lost(reason)


class SourceFeed(Feed):
    """A kiosk ``CameraSource`` (the virtual camera): its frames uploaded to a texture."""

    def __init__(self, source: CameraSource, on_texture: OnTexture, on_lost: OnLost) -> None:
        super().__init__(on_texture, on_lost)
        self.source = source
        self._shown: Frame | None = None

    def start(self) -> None:
        self.source.start()
        self._shown = None
        super().start()

    def stop(self) -> None:
        super().stop()
        self._shown = None
        self.source.stop()

    def capture(self) -> Frame | None:
        if self._shown is not None:
            self.frozen = True  # the frame on screen is the photo: what you see is sent
        return self._shown

    def poll(self) -> None:
        if self.frozen:  # a photo taken stays usable even if the camera goes meanwhile
            return
        if self.source.failure:
            self._fail(self.source.failure)
            return
        frame = self.source.latest()
        if frame is None:
            return
        if self._shown is not None and frame.seq == self._shown.seq:
            return
        self._got_frame()
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


class ProviderFeed(Feed):
    """Kivy's camera provider (``kivy.core.camera``: OpenCV, GStreamer, picamera...)."""

    def __init__(
        self, index: int, on_texture: OnTexture, on_lost: OnLost, provider: Any = None
    ) -> None:
        super().__init__(on_texture, on_lost)
        self.index = index
        self.provider = provider  # a CameraBase class; None: the one Kivy selects
        self._camera: Any = None

    def start(self) -> None:
        CoreCamera = self.provider  # noqa: N806 (a class)
        if CoreCamera is None:
            try:  # a bundle may leave the providers out; any import failure means no camera
                from kivy.core.camera import Camera as CoreCamera
            except Exception as exc:
                raise CameraUnavailable("no_provider", type(exc).__name__) from exc
        if CoreCamera is None:
            raise CameraUnavailable("no_provider", "Kivy found no camera provider")
        try:
            camera = CoreCamera(index=self.index, resolution=PROVIDER_RESOLUTION, stopped=True)
            # The provider grabs frames in its own clock callback; an exception there
            # (device unplugged) would reach Kivy's loop and stop the terminal.
            camera._update = _guarded(camera._update, self._provider_failed)
            camera.bind(on_texture=self._provider_texture)
            camera.start()
        except Exception as exc:  # providers raise anything when the device is missing
            raise CameraUnavailable("no_device", type(exc).__name__) from exc
        self._camera = camera
        super().start()

    def stop(self) -> None:
        super().stop()
        camera, self._camera = self._camera, None
        if camera is not None:
            _release(camera)

    def capture(self) -> Frame | None:
        texture = self.texture
        if texture is None or self._camera is None:
            return None
        try:
            pixels = texture.pixels  # RGBA, in the texture's own row order
            self._camera.stop()
        except Exception as exc:
            log.warning("camera capture failed (%s)", type(exc).__name__)
            return None
        self.frozen = True
        width, height = texture.size
        # A provider that uploads top row first flips the texture's v axis to show it
        # upright (uvsize height < 0); otherwise its first row is the picture's bottom.
        return Frame(width, height, pixels, 0, "RGBA", bottom_up=texture.uvsize[1] >= 0)

    def resume(self) -> None:
        super().resume()
        if self._camera is not None:
            try:
                self._camera.start()
            except Exception as exc:
                self._provider_failed(exc)

    def _provider_texture(self, camera: Any) -> None:
        if self._camera is None or self.frozen:
            return
        self._got_frame()
        self.texture = camera.texture
        self.on_texture(camera.texture)

    def _provider_failed(self, exc: Exception) -> None:
        log.warning("camera provider failed (%s)", type(exc).__name__)
        Clock.schedule_once(lambda _dt: self._fail("provider_error"))


def _guarded(update: Callable[[float], Any], failed: Callable[[Exception], None]) -> Any:
    def run(dt: float) -> Any:
        try:
            return update(dt)
        except Exception as exc:
            failed(exc)
            return False  # unschedules the provider's interval

    return run


def _release(camera: Any) -> None:
    """Stop the provider and, where it has one, close the device (OpenCV keeps it open)."""
    try:
        camera.stop()
        device = getattr(camera, "_device", None)
        if device is not None and hasattr(device, "release"):
            device.release()
    except Exception as exc:
        log.info("camera release failed (%s)", type(exc).__name__)


def open_feed(
    source: str,
    index: int,
    virtual: VirtualCamera | None,
    on_texture: OnTexture,
    on_lost: OnLost,
) -> Feed:
    """The feed for ``camera.source``; raises ``CameraUnavailable`` for "none"."""
    if source == "none":
        raise CameraUnavailable("none", "camera.source = none")
    if source == "virtual":
        if virtual is None:
            raise CameraUnavailable("none", "no virtual camera")
        return SourceFeed(virtual, on_texture, on_lost)
    return ProviderFeed(index, on_texture, on_lost)
