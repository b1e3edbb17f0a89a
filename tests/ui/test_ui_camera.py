"""Taking a photo in the real app at 800x480, with the demo's virtual (test-pattern) camera.

From compose the worker opens the camera: a live preview, Take photo, then the frozen
picture with Retake and Use; Use hands compose an outbox-ready JPEG. No camera (none
configured, no provider, unplugged) is said plainly, and a session end forgets the
picture.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from kiosk.models import PhotoAttachment


def _camera(app: Any, badge: str) -> Any:
    """Badge in, write a new message, open the camera; return the camera screen, live."""
    app.present(badge)
    app.wait_for_screen("welcome")
    app.router.compose_new()
    app.wait_for_screen("compose")
    app.router.open_camera()
    app.wait_for_screen("camera")
    camera = app.screen("camera")
    app.wait_until(lambda: camera.state in ("live", "none"), 10, "the camera")
    return camera


def _preview(app: Any, camera: Any) -> Image.Image:
    """The picture part of a screenshot (the preview's fitted rectangle)."""
    shot = app.screenshot()
    preview = camera.ids.preview
    x, y = preview.to_window(*preview.fit_pos)
    width, height = preview.fit_size
    top = shot.height - (y + height)
    return shot.crop((int(x) + 4, int(top) + 4, int(x + width) - 4, int(top + height) - 4))


def _share(picture: Image.Image, test: Any) -> float:
    data = picture.tobytes()  # RGB
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    return sum(1 for p in pixels if test(*p)) / len(pixels)


@pytest.fixture
def camera_source(app: Any):
    """Set the camera screen's ``camera.source`` for one test (restored after)."""
    camera = app.screen("camera")
    before = camera.source

    def use(source: str) -> None:
        camera.source = source

    yield use
    camera.source = before
    if camera.virtual is not None:
        camera.virtual.plug_in()


def test_the_preview_shows_the_virtual_cameras_colour_bars(app, demo_badges):
    camera = _camera(app, demo_badges["en"])
    assert camera.state == "live"
    picture = _preview(app, camera)
    assert _share(picture, lambda r, g, b: r > 150 and g > 150 and b < 80) > 0.05  # yellow
    assert _share(picture, lambda r, g, b: r < 80 and g > 150 and b > 150) > 0.05  # cyan
    assert _share(picture, lambda r, g, b: r > 150 and g < 80 and b > 150) > 0.05  # magenta


def test_the_preview_is_live_until_a_photo_is_taken_then_frozen(app, demo_badges):
    camera = _camera(app, demo_badges["en"])
    first = _preview(app, camera)
    app.pump(0.4)  # the pattern's clock and ball move
    assert _preview(app, camera).tobytes() != first.tobytes()
    app.tap(camera.ids.capture_button)
    assert camera.state == "captured"
    frozen = _preview(app, camera)
    app.pump(0.4)
    assert _preview(app, camera).tobytes() == frozen.tobytes()


def test_capture_retake_capture_use_hands_compose_an_outbox_jpeg(app, demo_badges):
    camera = _camera(app, demo_badges["en"])
    app.tap(camera.ids.capture_button)
    first = camera.captured
    app.tap(camera.ids.retake_button)
    assert camera.state == "live" and camera.captured is None
    app.pump(0.3)
    app.tap(camera.ids.capture_button)
    assert camera.captured is not None and camera.captured.seq != first.seq
    app.tap(camera.ids.use_button)
    app.wait_for_screen("compose")
    compose = app.screen("compose")
    photo = compose._attachment  # what Send will carry
    assert isinstance(photo, PhotoAttachment) and compose.attachment_kind == "photo"
    im = Image.open(io.BytesIO(photo.data))
    assert im.format == "JPEG" and max(im.size) <= 1600 and im.size == (photo.width, photo.height)
    assert not im.getexif() and "exif" not in im.info
    assert not camera.virtual.running  # the camera is off once the screen is left


def test_back_returns_to_compose_and_turns_the_camera_off(app, demo_badges):
    camera = _camera(app, demo_badges["en"])
    app.tap(camera.ids.header.ids.back_button)
    app.wait_for_screen("compose")
    assert not camera.virtual.running and camera.texture is None
    assert app.screen("compose")._attachment is None


def test_a_session_end_forgets_the_picture(app, demo_badges):
    camera = _camera(app, demo_badges["en"])
    app.tap(camera.ids.capture_button)
    assert camera.captured is not None
    app.router.done()
    app.wait_for_screen("idle")
    assert camera.captured is None and camera.texture is None and camera.state == "off"
    assert not camera.virtual.running and camera.virtual.latest() is None
    assert camera.name_text == ""


def test_draw_on_it_opens_the_drawing_over_the_photo(app, demo_badges):
    camera = _camera(app, demo_badges["en"])
    assert camera.can_annotate  # the router has a drawing screen
    app.tap(camera.ids.capture_button)
    app.tap(camera.ids.annotate_button)
    app.wait_for_screen("drawing")
    assert camera.captured is None and not camera.virtual.running


def test_no_camera_configured_says_so_with_a_way_back(app, demo_badges, camera_source, texts):
    camera_source("none")
    camera = _camera(app, demo_badges["en"])
    assert camera.state == "none"
    assert "No camera on this terminal" in texts(app)
    app.tap(camera.ids.none_back_button)
    app.wait_for_screen("compose")


def test_an_unplugged_camera_says_so_instead_of_freezing(app, demo_badges, camera_source):
    camera_source("virtual")
    camera = _camera(app, demo_badges["en"])
    camera.virtual.unplug()
    app.wait_until(lambda: camera.state == "none", 5, "the no-camera message")
    assert camera.texture is None
    app.router.back()
    app.wait_for_screen("compose")
    app.router.open_camera()  # still unplugged: said again at once
    app.wait_until(lambda: camera.state == "none", 5, "the no-camera message")


def test_auto_without_any_camera_provider_says_no_camera(app, demo_badges, camera_source):
    from kivy.core.camera import Camera

    if Camera is not None:
        pytest.skip("this machine has a Kivy camera provider")
    camera_source("auto")
    camera = _camera(app, demo_badges["en"])
    assert camera.state == "none"


# Kivy's camera provider ("auto"), with a provider class of Kivy's kind that draws red
# over blue and can fail the way an unplugged USB camera does (inside its clock callback).


def _pattern_provider(top_row_first: bool = True) -> type:
    from kivy.clock import Clock
    from kivy.core.camera import CameraBase
    from kivy.graphics.texture import Texture

    class PatternProvider(CameraBase):
        unplugged = False

        def init_camera(self) -> None:
            self._resolution = (320, 180)
            self._event = None

        def start(self) -> None:
            super().start()
            self._event = Clock.schedule_interval(self._update, 1 / 30)

        def stop(self) -> None:
            super().stop()
            if self._event is not None:
                self._event.cancel()

        def _update(self, _dt: float) -> None:
            if self.unplugged:
                raise OSError("No such device")
            if self._texture is None:
                self._texture = Texture.create(size=self._resolution)
                if top_row_first:  # as OpenCV's frames: the texture is flipped to show them
                    self._texture.flip_vertical()
                self.dispatch("on_load")
            width, height = self._resolution
            red, blue = bytes((220, 0, 0)) * width, bytes((0, 0, 220)) * width
            rows = [red] * (height // 2) + [blue] * (height // 2)  # red on top of the picture
            self._buffer = b"".join(rows if top_row_first else rows[::-1])
            self._format = "rgb"
            self._copy_to_gpu()

    return PatternProvider


def _provider_feed(app: Any, top_row_first: bool = True) -> tuple[Any, list[str]]:
    from ui.camera_feed import ProviderFeed

    lost: list[str] = []
    feed = ProviderFeed(0, lambda _texture: None, lost.append,
                        provider=_pattern_provider(top_row_first))
    feed.start()
    app.wait_until(lambda: feed.texture is not None, 5, "the provider's first frame")
    return feed, lost


@pytest.mark.parametrize("top_row_first", [True, False], ids=["flipped", "bottom-up"])
def test_a_provider_capture_is_read_back_upright(app, top_row_first):
    from kiosk.camera.develop import develop

    feed, lost = _provider_feed(app, top_row_first)
    try:
        frame = feed.capture()
    finally:
        feed.stop()
    assert frame is not None and (frame.width, frame.height) == (320, 180) and not lost
    im = Image.open(io.BytesIO(develop(frame).data)).convert("RGB")
    top, bottom = im.getpixel((160, 20)), im.getpixel((160, 160))
    assert top[0] > 180 and top[2] < 60 and bottom[2] > 180 and bottom[0] < 60


def test_a_provider_failing_in_its_clock_callback_is_reported_not_raised(app):
    feed, lost = _provider_feed(app)
    feed._camera.unplugged = True  # the provider's next grab raises, as OpenCV's may
    app.wait_until(lambda: bool(lost), 5, "the camera reported lost")
    assert lost == ["provider_error"] and feed.texture is None
