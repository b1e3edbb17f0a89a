"""A blocking camera device owned by a thread: opened, read and released only there.

The devices here are small real implementations of ``kiosk.camera.device.Device``
that can block or fail the way a USB camera does; OpenCV's own device is the same
contract over ``cv2.VideoCapture``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from kiosk.camera import CameraUnavailable, Frame
from kiosk.camera.device import DeviceCamera


class Grey:
    """A device giving small grey frames; ``gate`` (once set up) holds every read after the
    first until it is set, as a wedged camera does; ``broken`` makes every read fail."""

    def __init__(self, calls: list[tuple[str, str]], name: str = "grey",
                 gate: threading.Event | None = None, broken: bool = False) -> None:
        self.calls = calls
        self.name = name
        self.gate = gate
        self.broken = broken
        self._note("open")

    def _note(self, what: str) -> None:
        self.calls.append((f"{what} {self.name}", threading.current_thread().name))

    def read(self, seq: int) -> Frame | None:
        if self.gate is not None and seq > 1:
            self.gate.wait()
        time.sleep(0.01)  # a frame period
        if self.broken:
            return None
        return Frame(8, 6, b"\x80" * (8 * 6 * 3), seq)

    def release(self) -> None:
        self._note("release")


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def calls() -> list[tuple[str, str]]:
    return []


def test_the_device_is_opened_read_and_released_only_on_the_cameras_thread(calls):
    camera = DeviceCamera(lambda: Grey(calls), key="t-own")
    camera.start()
    assert _until(lambda: (camera.latest() or Frame(1, 1, b"")).seq >= 3)
    camera.stop()
    assert _until(lambda: len(calls) == 2)
    assert [what for what, _ in calls] == ["open grey", "release grey"]
    assert {thread for _, thread in calls} == {"camera-t-own"}
    assert camera.latest() is None and camera.failure == ""


def test_frames_are_numbered_one_more_each(calls):
    camera = DeviceCamera(lambda: Grey(calls), key="t-seq")
    camera.start()
    assert _until(lambda: camera.latest() is not None)
    first = camera.latest().seq
    assert _until(lambda: camera.latest().seq > first)
    camera.stop()


def test_a_read_that_blocks_is_reported_stalled_and_stop_does_not_wait_for_it(calls):
    gate = threading.Event()
    camera = DeviceCamera(lambda: Grey(calls, gate=gate), key="t-stall", stall_s=0.3)
    camera.start()
    assert _until(lambda: camera.latest() is not None)
    assert _until(lambda: camera.failure == "stalled")
    began = time.monotonic()
    camera.stop()
    assert time.monotonic() - began < 0.1
    assert [what for what, _ in calls] == ["open grey"]  # still held by the blocked read
    gate.set()  # the read returns at last: the thread releases the device and ends
    assert _until(lambda: [what for what, _ in calls] == ["open grey", "release grey"])


def test_a_camera_that_never_gives_a_first_frame_is_reported_stalled(calls):
    gate = threading.Event()

    def wedged_open() -> Grey:
        gate.wait()  # the open itself never comes back
        return Grey(calls)

    camera = DeviceCamera(wedged_open, key="t-first", first_frame_s=0.3)
    camera.start()
    assert _until(lambda: camera.failure == "stalled")
    camera.stop()
    gate.set()
    assert _until(lambda: [what for what, _ in calls] == ["open grey", "release grey"])


def test_reads_that_keep_failing_are_reported_lost_and_the_device_released(calls):
    camera = DeviceCamera(lambda: Grey(calls, broken=True), key="t-lost", stall_s=0.2)
    camera.start()
    assert _until(lambda: camera.failure == "lost")
    assert _until(lambda: [what for what, _ in calls] == ["open grey", "release grey"])
    camera.stop()
    assert camera.failure == "lost"  # said until the next start


def test_a_device_that_cannot_be_opened_is_reported_with_its_reason():
    def missing() -> Grey:
        raise CameraUnavailable("no_device", "no /dev/video0")

    camera = DeviceCamera(missing, key="t-missing")
    camera.start()
    assert _until(lambda: camera.failure == "no_device")
    camera.stop()


def test_any_error_opening_the_device_means_no_device():
    def broken_driver() -> Grey:
        raise OSError("No such device")

    camera = DeviceCamera(broken_driver, key="t-driver")
    camera.start()
    assert _until(lambda: camera.failure == "no_device")
    camera.stop()


def test_reopening_waits_on_its_thread_for_the_previous_holder_to_release(calls):
    gate = threading.Event()
    first = DeviceCamera(lambda: Grey(calls, "first", gate=gate), key="t-busy")
    first.start()
    assert _until(lambda: first.latest() is not None)
    first.stop()  # its read is blocked: stop gives up waiting, the device is still held
    second = DeviceCamera(lambda: Grey(calls, "second"), key="t-busy")
    second.start()
    time.sleep(0.2)
    assert [what for what, _ in calls] == ["open first"]
    gate.set()
    assert _until(lambda: second.latest() is not None)
    assert [what for what, _ in calls] == ["open first", "release first", "open second"]
    second.stop()
