"""The terminal's camera without Kivy: sources of frames, the test-pattern camera, and
the worker that turns a captured frame into the photo attached to a message.

``camera.source`` in the configuration picks the camera: ``"virtual"`` is
:class:`kiosk.camera.virtual.VirtualCamera` (demos, tests), ``"none"`` means no
camera, and ``"auto"`` is Kivy's camera provider, wrapped on the UI side
(``ui/camera_feed.py``) since it needs Kivy's clock and textures.

Only the light part is imported here; ``kiosk.camera.virtual`` (Pillow drawing) and
``kiosk.camera.develop`` (the photo pipeline) load when a camera is first opened, not
at the terminal's start.
"""

from kiosk.camera.frames import CameraSource, CameraUnavailable, Frame

SOURCES = ("auto", "none", "virtual")

__all__ = ["SOURCES", "CameraSource", "CameraUnavailable", "Frame"]
