"""A real camera (``camera.source = "auto"``) through OpenCV, on a thread of its own.

``cv2.VideoCapture`` blocks: its open waits for the device, each ``read`` waits for the
next frame and stalls as long as a wedged USB camera does. So everything OpenCV does,
its import included (~100 ms and tens of MB), happens on the camera's thread
(:class:`~kiosk.camera.device.DeviceCamera`); the UI only picks up finished frames.

Frames come out as RGB, rows top first, at most ``MAX_SIZE`` (a 1080p webcam is
scaled down: the photo pipeline stops at 1600 px anyway), with a smaller copy for the
screen as the virtual camera makes (see ``Frame.preview``).
"""

from __future__ import annotations

import importlib.util
from typing import Any

from kiosk.camera.device import DeviceCamera
from kiosk.camera.frames import CameraUnavailable, Frame

MAX_SIZE = (1280, 720)
PREVIEW_WIDTH = 640  # the screen's copy; uploading it costs the UI thread a quarter of 1280
NO_OPENCV = "no camera provider (OpenCV) installed"


def opencv_installed() -> bool:
    """Whether ``cv2`` can be found, without importing it (cheap, any thread)."""
    try:
        return importlib.util.find_spec("cv2") is not None
    except (ImportError, ValueError):
        return False


class OpenCVCamera(DeviceCamera):
    """Camera ``index`` (``/dev/video<index>`` on Linux) as a ``CameraSource``."""

    def __init__(self, index: int = 0, max_size: tuple[int, int] = MAX_SIZE,
                 **timing: float) -> None:
        super().__init__(lambda: OpenCVDevice(index, max_size), key=f"opencv{index}", **timing)
        self.index = index

    def start(self) -> None:
        if not opencv_installed():  # said at once: no thread, no waiting for a first frame
            raise CameraUnavailable("no_provider", NO_OPENCV)
        super().start()


class OpenCVDevice:
    """An open ``cv2.VideoCapture``: every method blocks, so only the camera's thread calls them."""

    def __init__(self, index: int, max_size: tuple[int, int] = MAX_SIZE) -> None:
        try:
            import cv2
        except Exception as exc:  # e.g. the non-headless wheel without the system's libGL
            raise CameraUnavailable("no_provider",
                                    f"OpenCV cannot be loaded ({type(exc).__name__})") from exc
        self._cv2: Any = cv2
        self.max_size = max_size
        capture = cv2.VideoCapture(index)
        try:
            if not capture.isOpened():
                raise CameraUnavailable("no_device", f"OpenCV cannot open camera {index}")
            # Ask for the size we keep (the driver picks the nearest it has), and for a
            # one-frame queue so the preview is the present, not a backlog.
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, max_size[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, max_size[1])
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        except BaseException:
            capture.release()  # the device opened: it must not stay held
            raise
        self._capture = capture

    def read(self, seq: int) -> Frame | None:
        ok, image = self._capture.read()
        if not ok or image is None or image.size == 0:
            return None
        cv2 = self._cv2
        height, width = image.shape[:2]
        scale = min(1.0, self.max_size[0] / width, self.max_size[1] / height)
        if scale < 1.0:
            image = cv2.resize(image, (max(1, round(width * scale)), max(1, round(height * scale))),
                               interpolation=cv2.INTER_AREA)
        rgb = cv2.cvtColor(image, _to_rgb(cv2, image))  # OpenCV's frames are BGR
        height, width = rgb.shape[:2]
        preview = None
        if width > PREVIEW_WIDTH:
            small_height = max(1, round(height * PREVIEW_WIDTH / width))
            small = cv2.resize(rgb, (PREVIEW_WIDTH, small_height), interpolation=cv2.INTER_AREA)
            preview = Frame(PREVIEW_WIDTH, small_height, small.tobytes(), seq)
        return Frame(width, height, rgb.tobytes(), seq, preview=preview)

    def release(self) -> None:
        self._capture.release()


def _to_rgb(cv2: Any, image: Any) -> int:
    """The colour conversion for a frame of 1, 3 or 4 channels (greyscale, BGR, BGRA)."""
    if image.ndim == 2 or image.shape[2] == 1:
        return cv2.COLOR_GRAY2RGB
    return cv2.COLOR_BGRA2RGB if image.shape[2] == 4 else cv2.COLOR_BGR2RGB
