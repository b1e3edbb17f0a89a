"""``kiosk doctor``'s camera check, against a folder standing in for /dev."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.doctor.camera import check_camera
from kiosk.settings.config import parse_config


def _config(tmp_path: Path, source: str, index: int = 0):
    return parse_config({"camera": {"source": source, "index": index}}, base_dir=tmp_path)


def test_no_camera_asked_is_fine(tmp_path):
    check = check_camera(_config(tmp_path, "none"), dev=tmp_path)
    assert check.ok and "camera off" in check.summary


def test_the_virtual_camera_is_named_as_a_demo_tool(tmp_path):
    check = check_camera(_config(tmp_path, "virtual"), dev=tmp_path)
    assert check.ok and "test pattern" in check.summary


def test_a_missing_video_device_is_a_warning_naming_the_index(tmp_path):
    (tmp_path / "video2").touch()
    check = check_camera(_config(tmp_path, "auto", index=0), dev=tmp_path)
    assert not check.ok and check.severity == "warning"
    assert "camera.index = 0" in check.summary and str(tmp_path / "video2") in check.summary
    assert "camera.index" in check.fix


def test_an_unreadable_video_device_is_an_error(tmp_path):
    node = tmp_path / "video0"
    node.touch()
    node.chmod(0)
    if os.access(node, os.R_OK):  # root reads anything: nothing to see here
        return
    check = check_camera(_config(tmp_path, "auto"), dev=tmp_path)
    assert not check.ok and check.severity == "error"


def test_a_device_without_a_camera_provider_says_how_to_add_one(tmp_path):
    (tmp_path / "video0").touch()
    check = check_camera(_config(tmp_path, "auto"), dev=tmp_path)
    # This machine's Python has no OpenCV.
    assert not check.ok and "no camera provider" in check.summary
    assert "KIOSK_BUNDLE_CAMERA=opencv" in check.fix
