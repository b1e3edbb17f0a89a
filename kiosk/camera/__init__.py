"""The terminal's camera without Kivy: sources of frames, the test-pattern camera, the
real camera, and the worker that turns a captured frame into the photo attached to a
message.

``camera.source`` in the configuration picks the camera (:func:`open_source`):
``"virtual"`` is :class:`kiosk.camera.virtual.VirtualCamera` (demos, tests), ``"none"``
means no camera, and ``"auto"`` is :class:`kiosk.camera.opencv.OpenCVCamera` on device
``camera.index`` when OpenCV is installed. Every source makes its frames on its own
thread; the UI only picks up the newest one.

Only the light part is imported here; ``kiosk.camera.virtual`` (Pillow drawing),
``kiosk.camera.opencv`` (OpenCV, itself imported on the camera's thread) and
``kiosk.camera.develop`` (the photo pipeline) load when a camera is first opened, not
at the terminal's start.
"""

from __future__ import annotations

from kiosk.camera.frames import CameraSource, CameraUnavailable, Frame

SOURCES = ("auto", "none", "virtual")


def open_source(source: str, index: int = 0,
                virtual: CameraSource | None = None) -> CameraSource:
    """The camera for ``camera.source`` (not started); ``virtual`` is the test pattern to use.

    Raises :class:`CameraUnavailable` at once when there is no camera to try: "none",
    or "auto" without OpenCV installed.
    """
    if source == "none":
        raise CameraUnavailable("none", "camera.source = none")
    if source == "virtual":
        if virtual is None:
            raise CameraUnavailable("none", "no virtual camera")
        return virtual
    from kiosk.camera.opencv import NO_OPENCV, OpenCVCamera, opencv_installed

    if not opencv_installed():
        raise CameraUnavailable("no_provider", NO_OPENCV)
    return OpenCVCamera(index)


__all__ = ["SOURCES", "CameraSource", "CameraUnavailable", "Frame", "open_source"]
