"""Taking a photo in the real app at 800x480, with the demo's virtual (test-pattern) camera.

From compose the worker opens the camera: a live preview, Take photo, then the frozen
picture with Retake and Use; Use hands compose an outbox-ready JPEG. No camera (none
configured, no OpenCV, unplugged, a source that fails) is said plainly, and a session
end forgets the picture.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from PIL import Image

from kiosk.camera import Frame
from kiosk.domain.models import PhotoAttachment


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


def test_auto_without_opencv_says_no_camera(app, demo_badges, camera_source):
    from kiosk.camera.opencv import opencv_installed

    if opencv_installed():
        pytest.skip("this machine has OpenCV")
    camera_source("auto")
    camera = _camera(app, demo_badges["en"])
    assert camera.state == "none"


# Any kiosk camera source: a small one drawing red over blue on its own thread, that can
# fail the way a stalled USB camera is reported.


class RedOverBlue:
    """A ``CameraSource``: 320x180 frames, red on top, every 30 ms, on a thread of its own."""

    def __init__(self) -> None:
        self.failure = ""
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.failure = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._stop,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
        self._thread = None
        self._latest = None

    def latest(self) -> Frame | None:
        return self._latest

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _run(self, stop: threading.Event) -> None:
        width, height = 320, 180
        red, blue = bytes((220, 0, 0)) * width, bytes((0, 0, 220)) * width
        pixels = red * (height // 2) + blue * (height // 2)
        seq = 0
        while not stop.wait(0.03):
            seq += 1
            self._latest = Frame(width, height, pixels, seq)


@pytest.fixture
def red_over_blue(app: Any, camera_source: Any):
    """The camera screen's test-pattern slot holding a :class:`RedOverBlue` for one test."""
    camera = app.screen("camera")
    before = camera.virtual
    camera_source("virtual")
    camera.virtual = RedOverBlue()
    yield camera.virtual
    camera.virtual = before


def test_a_sources_frames_are_shown_upright(app, demo_badges, red_over_blue):
    camera = _camera(app, demo_badges["en"])
    assert camera.state == "live"
    picture = _preview(app, camera)
    top = picture.crop((0, 0, picture.width, picture.height // 3))
    bottom = picture.crop((0, picture.height * 2 // 3, picture.width, picture.height))
    assert _share(top, lambda r, g, b: r > 180 and b < 60) > 0.9
    assert _share(bottom, lambda r, g, b: b > 180 and r < 60) > 0.9


def test_a_sources_capture_becomes_an_upright_photo(app, demo_badges, red_over_blue):
    from kiosk.camera.develop import develop

    camera = _camera(app, demo_badges["en"])
    app.tap(camera.ids.capture_button)
    frame = camera.captured
    assert frame is not None and (frame.width, frame.height) == (320, 180)
    im = Image.open(io.BytesIO(develop(frame).data)).convert("RGB")
    top, bottom = im.getpixel((160, 20)), im.getpixel((160, 160))
    assert top[0] > 180 and top[2] < 60 and bottom[2] > 180 and bottom[0] < 60


def test_a_source_reporting_a_failure_says_no_camera_and_is_stopped(
    app, demo_badges, red_over_blue
):
    camera = _camera(app, demo_badges["en"])
    red_over_blue.failure = "stalled"  # as an OpenCV camera whose read stopped returning
    app.wait_until(lambda: camera.state == "none", 5, "the no-camera message")
    assert camera.texture is None and not red_over_blue.running
