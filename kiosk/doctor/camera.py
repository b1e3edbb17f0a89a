"""``kiosk doctor``'s camera check: the source the config asks for, and what can serve it.

``camera.source = "auto"`` reads the camera through OpenCV (``kiosk.camera.opencv``),
which needs a video device (``/dev/video*``, a UVC webcam or a Raspberry Pi camera
through libcamera's V4L2 compatibility) and OpenCV in the Python that runs the terminal
(or in the bundle).
Without a camera the terminal still works: the camera screen says so and photos
are off; that is a warning, not an error.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.camera.opencv import opencv_installed
from kiosk.doctor.check import Check, current_user, device_access_fix, failed, passed
from kiosk.settings.config import Config

DEV = Path("/dev")


def check_camera(config: Config, dev: Path = DEV) -> Check:
    source = config["camera.source"]
    if source == "none":
        return passed("camera", "camera off (camera.source = \"none\"): no photos")
    if source == "virtual":
        return passed("camera", "virtual camera (a test pattern): for demos and tests only")
    index = int(config["camera.index"])
    node = dev / f"video{index}"
    if not node.exists():
        found = ", ".join(sorted(str(p) for p in dev.glob("video*"))) or "none"
        return failed("camera", "warning",
                      f"no camera at {node} (camera.index = {index}; video devices: {found}): "
                      "the camera screen says so and photos are off",
                      "plug in a UVC webcam (or enable the Pi camera), then ls /dev/video*; "
                      "set camera.index to its number, or camera.source = \"none\"")
    if not os.access(node, os.R_OK | os.W_OK):
        return failed("camera", "error", f"{node}: permission denied for {current_user()}",
                      device_access_fix(str(node)))
    if not opencv_installed():
        return failed("camera", "warning",
                      f"{node} is there but no camera provider (OpenCV) is installed: "
                      "the camera screen will say there is no camera",
                      "from the sources: pip install opencv-python-headless; a bundle: build "
                      "it with KIOSK_BUNDLE_CAMERA=opencv (docs/bundle.md)")
    return passed("camera", f"camera {node} through OpenCV")
