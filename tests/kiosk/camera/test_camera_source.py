"""The camera without Kivy: the test-pattern camera, choosing the source, frames, and the
photo worker."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from kiosk.camera import CameraUnavailable, Frame, open_source
from kiosk.camera.develop import develop
from kiosk.camera.opencv import OpenCVCamera, opencv_installed
from kiosk.camera.virtual import VirtualCamera
from kiosk.domain.models import PhotoAttachment
from kiosk.settings.config import ConfigError, parse_config

NOON = time.mktime((2026, 11, 27, 12, 0, 0, 0, 0, -1))


def _pixel(frame: Frame, x: int, y: int) -> tuple[int, int, int]:
    return frame.to_image().getpixel((x, y))


def _close(color: tuple[int, ...], expected: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(c - e) <= tolerance for c, e in zip(color, expected, strict=False))


@pytest.fixture
def camera():
    cam = VirtualCamera(size=(640, 360), fps=15)
    yield cam
    cam.stop()


# The pattern -------------------------------------------------------------------------------


def test_pattern_shows_the_seven_colour_bars_left_to_right():
    frame = VirtualCamera(size=(700, 360), clock=lambda: NOON).render(1)
    bars = [(191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0),
            (191, 0, 191), (191, 0, 0), (0, 0, 191)]
    for i, expected in enumerate(bars):
        seen = _pixel(frame, 100 * i + 50, 20)
        assert _close(seen, expected), (i, seen)


def test_frames_are_rgb_rows_top_first_of_the_requested_size():
    frame = VirtualCamera(size=(320, 180)).render(7)
    assert (frame.width, frame.height, frame.mode, frame.bottom_up) == (320, 180, "RGB", False)
    assert len(frame.pixels) == 320 * 180 * 3 and frame.seq == 7


def test_the_ball_moves_as_time_passes():
    now = [NOON]
    cam = VirtualCamera(size=(640, 360), clock=lambda: now[0])
    first = cam.render(1).to_image()
    now[0] += 1.0
    second = cam.render(2).to_image()
    band = (0, 60, 640, 180)  # the ball's row, over the bars
    assert first.crop(band).tobytes() != second.crop(band).tobytes()


def test_the_time_is_printed_at_the_bottom():
    now = [NOON]
    cam = VirtualCamera(size=(640, 360), clock=lambda: now[0])
    first = cam.render(1).to_image()
    now[0] += 60  # same ball position (a whole number of trips), another minute
    second = cam.render(1).to_image()
    assert first.crop((0, 0, 640, 250)).tobytes() == second.crop((0, 0, 640, 250)).tobytes()
    assert first.crop((0, 270, 640, 360)).tobytes() != second.crop((0, 270, 640, 360)).tobytes()


def test_a_camera_too_small_or_without_a_frame_rate_is_refused():
    with pytest.raises(ValueError):
        VirtualCamera(size=(32, 20))
    with pytest.raises(ValueError):
        VirtualCamera(fps=0)


# Running -----------------------------------------------------------------------------------


def test_a_started_camera_delivers_new_frames_at_about_its_rate(camera):
    assert camera.latest() is None
    camera.start()
    time.sleep(1.0)
    frame = camera.latest()
    assert frame is not None
    assert 5 <= frame.seq <= 17  # 15 fps asked; a busy machine may draw fewer, never a burst


def test_frames_are_drawn_on_the_cameras_own_thread(camera):
    camera.start()
    names = {t.name for t in threading.enumerate()}
    assert "virtual-camera" in names


def test_stop_ends_the_thread_and_forgets_the_last_frame(camera):
    camera.start()
    time.sleep(0.2)
    camera.stop()
    assert not camera.running and camera.latest() is None
    assert "virtual-camera" not in {t.name for t in threading.enumerate()}


def test_a_stopped_camera_starts_again(camera):
    camera.start()
    camera.stop()
    camera.start()
    time.sleep(0.3)
    assert camera.latest() is not None


def test_an_unplugged_camera_says_so_and_cannot_start_until_plugged_in(camera):
    camera.start()
    camera.unplug()
    assert camera.failure == "unplugged"
    with pytest.raises(CameraUnavailable) as caught:
        camera.start()
    assert caught.value.reason == "no_device"
    camera.plug_in()
    camera.start()
    assert camera.failure == "" and camera.running


def _drawing_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "virtual-camera")


def test_a_stopped_camera_publishes_no_frame_afterwards():
    def slow_clock() -> float:  # each frame takes 50 ms to draw: stop() lands mid-drawing
        time.sleep(0.05)
        return time.time()

    cam = VirtualCamera(size=(320, 180), fps=30, clock=slow_clock)
    cam.start()
    deadline = time.monotonic() + 5
    while cam.latest() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    cam.stop()
    time.sleep(0.2)  # longer than a frame being drawn when stop() came
    assert cam.latest() is None and _drawing_threads() == 0


def test_unplug_then_plug_in_and_start_leaves_one_drawing_thread(camera):
    camera.start()
    time.sleep(0.1)
    camera.unplug()
    assert _drawing_threads() == 0  # unplug waited for the thread to end
    camera.plug_in()
    camera.start()
    assert _drawing_threads() == 1


# A captured frame becomes the photo -----------------------------------------------------------


def test_develop_makes_an_upright_metadata_free_outbox_jpeg():
    import hashlib

    photo = develop(VirtualCamera(size=(1280, 720)).render(1))
    assert isinstance(photo, PhotoAttachment)
    im = Image.open(io.BytesIO(photo.data))
    assert im.format == "JPEG" and im.size == (1280, 720) == (photo.width, photo.height)
    assert max(im.size) <= 1600
    assert not im.getexif() and "exif" not in im.info and "icc_profile" not in im.info
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()


def test_develop_turns_a_bottom_up_rgba_read_back_upright():
    # A GPU read-back: RGBA, bottom row first. Red on top of the picture, blue below.
    width, height = 64, 48
    top, bottom = bytes((200, 0, 0, 255)) * width, bytes((0, 0, 200, 255)) * width
    rows = [bottom] * (height // 2) + [top] * (height // 2)  # bottom row first
    frame = Frame(width, height, b"".join(rows), mode="RGBA", bottom_up=True)
    im = Image.open(io.BytesIO(develop(frame).data)).convert("RGB")
    assert _close(im.getpixel((32, 4)), (200, 0, 0), 20)
    assert _close(im.getpixel((32, 44)), (0, 0, 200), 20)


# Configuration ------------------------------------------------------------------------------


def test_camera_source_defaults_to_auto_on_the_first_device(tmp_path: Path):
    config = parse_config({}, tmp_path)
    assert (config["camera.source"], config["camera.index"]) == ("auto", 0)


def test_camera_source_must_be_auto_none_or_virtual(tmp_path: Path):
    assert parse_config({"camera": {"source": "virtual"}}, tmp_path)["camera.source"] == "virtual"
    with pytest.raises(ConfigError) as caught:
        parse_config({"camera": {"source": "webcam"}}, tmp_path)
    assert caught.value.key == "camera.source"


def test_the_demo_terminal_uses_the_virtual_camera(tmp_path: Path):
    from kiosk.demo.prepare import demo_config

    assert demo_config(tmp_path)["camera.source"] == "virtual"


# Choosing the source --------------------------------------------------------------------------

needs_no_opencv = pytest.mark.skipif(opencv_installed(), reason="OpenCV is installed here")


def test_none_means_no_camera():
    with pytest.raises(CameraUnavailable) as caught:
        open_source("none")
    assert caught.value.reason == "none"


def test_virtual_is_the_test_pattern_handed_in(camera):
    assert open_source("virtual", 0, camera) is camera


@needs_no_opencv
def test_auto_without_opencv_is_no_provider_at_once():
    with pytest.raises(CameraUnavailable) as caught:
        open_source("auto", 0)
    assert caught.value.reason == "no_provider"
    assert "no camera provider (OpenCV) installed" in str(caught.value)


@needs_no_opencv
def test_the_opencv_camera_without_opencv_refuses_to_start_without_a_thread():
    camera = OpenCVCamera(0)
    with pytest.raises(CameraUnavailable) as caught:
        camera.start()
    assert caught.value.reason == "no_provider" and "OpenCV" in str(caught.value)
    assert not camera.running and camera.failure == ""


def test_auto_with_opencv_installed_is_the_opencv_camera_on_the_configured_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Only found, never imported here: an empty cv2 package on the path stands for it.
    (tmp_path / "cv2").mkdir()
    (tmp_path / "cv2" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    source = open_source("auto", 2)
    assert isinstance(source, OpenCVCamera) and source.index == 2 and not source.running
