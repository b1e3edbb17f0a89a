"""A camera device that blocks, owned by a thread of its own: opened, read and released there.

A real camera's calls can block for seconds (a USB camera stalls, a V4L2 open waits for
the device) and the UI thread must never wait on them. :class:`DeviceCamera` runs the
whole life of the device on one thread: open, read frame after frame, release. The UI
only ever picks up ``latest()``; ``failure`` says when the device failed or stalled,
without waiting for a read that may never return.

One device is held by one thread at a time: a new thread for the same ``key`` first
waits (on its own thread) for the previous holder to release it, so a quick
close-and-reopen never finds the device busy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from kiosk.camera.frames import CameraUnavailable, Frame

log = logging.getLogger(__name__)

FIRST_FRAME_S = 6.0  # opening a V4L2 camera and its first frame can take seconds
STALL_S = 3.0  # no new frame for this long while live: the camera is gone
STOP_JOIN_S = 0.5  # a healthy read returns within a frame period; never wait longer
RETRY_S = 0.05  # a failed read (a dropped frame) is retried until STALL_S has passed


class Device(Protocol):
    """An open camera device; every call may block and is only made on the camera's thread."""

    def read(self, seq: int) -> Frame | None:
        """The next frame, numbered ``seq`` (blocks until it comes); None for a failed read."""
        ...

    def release(self) -> None: ...


OpenDevice = Callable[[], Device]  # raises CameraUnavailable (or anything: no device)

_holders: dict[str, threading.Thread] = {}  # device key -> the thread holding it
_holders_lock = threading.Lock()


class DeviceCamera:
    """A :class:`~kiosk.camera.frames.CameraSource` over a blocking :class:`Device`.

    ``start`` and ``stop`` never touch the device: the thread opens it, and releases it
    when it ends (``stop`` waits at most ``STOP_JOIN_S`` for that, not at all once the
    camera failed). ``failure`` is empty while the camera works, else a
    :class:`CameraUnavailable` reason: "no_provider", "no_device", "lost" (reads fail),
    "stalled" (a read blocks); it stays until the next ``start``.
    """

    def __init__(
        self,
        open_device: OpenDevice,
        key: str,
        first_frame_s: float = FIRST_FRAME_S,
        stall_s: float = STALL_S,
    ) -> None:
        self._open_device = open_device
        self.key = key
        self.first_frame_s = first_frame_s
        self.stall_s = stall_s
        self._latest: Frame | None = None
        self._seq = 0
        self._failure = ""
        self._progress_at = 0.0  # start, then each new frame (monotonic)
        self._got_frame = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # CameraSource -------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._failure = ""
            self._latest = None
            self._got_frame = False
            self._progress_at = time.monotonic()
            self._stop = threading.Event()
            with _holders_lock:
                thread = threading.Thread(target=self._run,
                                          args=(self._stop, _holders.get(self.key)),
                                          name=f"camera-{self.key}", daemon=True)
                _holders[self.key] = thread
            self._thread = thread
            thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._latest = None  # nothing of the last picture stays behind
            failed = bool(self._failure)  # its thread is ending (or stuck) on its own
        if thread is None or thread is threading.current_thread():
            return
        thread.join(0.0 if failed else STOP_JOIN_S)
        if thread.is_alive():  # it releases the device when its read returns
            log.info("camera %s still closing in the background", self.key)

    def latest(self) -> Frame | None:
        return self._latest

    @property
    def failure(self) -> str:
        with self._lock:
            if self._failure or self._thread is None:
                return self._failure
            allowed = self.stall_s if self._got_frame else self.first_frame_s
            if time.monotonic() - self._progress_at > allowed:
                # The thread is blocked in the device; it ends when (if) the call returns.
                self._failure = "stalled"
                self._stop.set()
                log.warning("camera %s stalled (no frame for %.0f s)", self.key, allowed)
            return self._failure

    @property
    def running(self) -> bool:
        return self._thread is not None

    # The camera's thread ------------------------------------------------------------------

    def _run(self, stop: threading.Event, previous: threading.Thread | None) -> None:
        try:
            if previous is not None:
                previous.join()  # the device is free once the previous holder released it
            if stop.is_set():
                return
            try:
                device = self._open_device()
            except CameraUnavailable as exc:
                self._fail(stop, exc)
                return
            except Exception as exc:  # drivers raise anything when the device is missing
                self._fail(stop, CameraUnavailable("no_device", type(exc).__name__))
                return
            try:
                self._read_frames(device, stop)
            finally:
                try:
                    device.release()
                except Exception as exc:
                    log.info("camera %s release failed (%s)", self.key, type(exc).__name__)
        finally:
            with _holders_lock:
                if _holders.get(self.key) is threading.current_thread():
                    del _holders[self.key]

    def _read_frames(self, device: Device, stop: threading.Event) -> None:
        last_good = time.monotonic()
        while not stop.is_set():
            try:
                frame = device.read(self._seq + 1)
            except Exception as exc:
                self._fail(stop, CameraUnavailable("lost", f"read raised {type(exc).__name__}"))
                return
            now = time.monotonic()
            if frame is None:
                if now - last_good > self.stall_s:
                    self._fail(stop, CameraUnavailable("lost", "the camera gives no frames"))
                    return
                stop.wait(RETRY_S)
                continue
            last_good = now
            with self._lock:
                if stop.is_set():  # stopped while reading: publish nothing
                    return
                self._seq = frame.seq
                self._latest = frame
                self._got_frame = True
                self._progress_at = now

    def _fail(self, stop: threading.Event, exc: CameraUnavailable) -> None:
        with self._lock:
            if stop.is_set():  # stopped meanwhile: nobody is waiting for this camera
                return
            self._failure = exc.reason
        log.warning("camera %s unavailable (%s)", self.key, exc)
