"""A test-pattern camera for demos and tests: colour bars, a moving ball and the time.

Frames are drawn with Pillow on the camera's own thread, at ``fps``, the way a real
camera delivers them: the UI thread only picks up the newest one. The pattern is
rendered once; each frame is a copy with the ball, the time and a frame counter drawn
on, plus a half-size copy for the screen (about 3 ms at 1280x720 on the bench machine,
hence the thread).

``unplug()`` / ``plug_in()`` play a USB camera pulled out and put back, so the
screen's "no camera" path can be shown and tested with the real source.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from kiosk.camera.frames import CameraUnavailable, Frame

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 720)
PREVIEW_DIVISOR = 2  # the screen gets a half-size copy of each frame (see Frame.preview)
DEFAULT_FPS = 12.0
# 75 % colour bars (SMPTE order), then the reverse strip below them.
_BARS = ((191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0),
         (191, 0, 191), (191, 0, 0), (0, 0, 191))
_REVERSE = ((0, 0, 191), (19, 19, 19), (191, 0, 191), (19, 19, 19),
            (0, 191, 191), (19, 19, 19), (191, 191, 191))
BALL_PERIOD_S = 4.0  # one trip across and back


class VirtualCamera:
    """A :class:`~kiosk.camera.frames.CameraSource` drawing a test pattern."""

    def __init__(
        self,
        size: tuple[int, int] = DEFAULT_SIZE,
        fps: float = DEFAULT_FPS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if size[0] < 64 or size[1] < 48 or fps <= 0:
            raise ValueError(f"virtual camera needs >= 64x48 and fps > 0, not {size} @ {fps}")
        self.size = size
        self.fps = fps
        self._clock = clock
        self._base = render_pattern(size)
        height = size[1]
        self._font = ImageFont.load_default(size=max(12, height // 18))
        self._small = ImageFont.load_default(size=max(10, height // 30))
        self._latest: Frame | None = None
        self._seq = 0
        self._failure = ""
        self._plugged = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # CameraSource -------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if not self._plugged:
                raise CameraUnavailable("no_device", "virtual camera unplugged")
            if self._thread is not None:
                return
            self._failure = ""
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,),
                                            name="virtual-camera", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._latest = None  # nothing of the last picture stays behind
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)

    def latest(self) -> Frame | None:
        return self._latest

    @property
    def failure(self) -> str:
        return self._failure

    # Playing a USB camera ---------------------------------------------------------------

    def unplug(self) -> None:
        """The camera is pulled out: frames stop and ``failure`` says so."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._plugged = False
            self._failure = "unplugged"
            self._stop.set()
        # Joined, so a plug_in() and start() never leave two threads drawing on _seq.
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)

    def plug_in(self) -> None:
        """Put it back: the next ``start`` works again."""
        with self._lock:
            self._plugged = True

    @property
    def running(self) -> bool:
        return self._thread is not None

    # Frames -------------------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        period = 1.0 / self.fps
        next_at = time.monotonic()
        while not stop.is_set():
            frame = self.render(self._seq + 1)
            with self._lock:  # the same lock as stop(): once it returns, nothing is published
                if stop.is_set():  # stopped or unplugged while drawing
                    break
                self._seq = frame.seq
                self._latest = frame
            next_at += period
            delay = next_at - time.monotonic()
            if delay < 0:  # fell behind (a busy machine): skip, never burst
                next_at, delay = time.monotonic(), 0.0
            stop.wait(delay)

    def render(self, seq: int) -> Frame:
        """One frame of the pattern at the current time (callable from any thread)."""
        now = self._clock()
        im = self._base.copy()
        draw = ImageDraw.Draw(im)
        width, height = self.size
        # The ball crosses the bars and comes back, smoothly, every BALL_PERIOD_S.
        radius = height // 12
        phase = (now % BALL_PERIOD_S) / BALL_PERIOD_S
        x = radius + (width - 2 * radius) * (0.5 - 0.5 * math.cos(2 * math.pi * phase))
        y = height // 3
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(245, 245, 245),
                     outline=(20, 20, 20), width=max(2, radius // 8))
        stamp = time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 10) % 10}"
        box_top = height * 3 // 4 + height // 40
        draw.rounded_rectangle((width // 4, box_top, width * 3 // 4, height - height // 40),
                               radius=height // 40, fill=(12, 18, 32))
        middle = (box_top + height - height // 40) // 2
        draw.text((width // 2, middle), stamp, font=self._font, fill=(245, 245, 245),
                  anchor="mm")
        draw.text((width * 3 // 4 - height // 40, middle), f"#{seq}", font=self._small,
                  fill=(150, 160, 180), anchor="rm")
        draw.text((width // 4 + height // 40, middle), "VIRTUAL", font=self._small,
                  fill=(150, 160, 180), anchor="lm")
        small = im.reduce(PREVIEW_DIVISOR)
        preview = Frame(small.width, small.height, small.tobytes(), seq)
        return Frame(width, height, im.tobytes(), seq, preview=preview)


def render_pattern(size: tuple[int, int]) -> Image.Image:
    """The still part: 75 % colour bars, the reverse strip, a grey ramp."""
    width, height = size
    im = Image.new("RGB", size, (19, 19, 19))
    draw = ImageDraw.Draw(im)
    bars_bottom, strip_bottom = height * 2 // 3, height * 3 // 4
    for i, (bar, reverse) in enumerate(zip(_BARS, _REVERSE, strict=True)):
        left, right = width * i // 7, width * (i + 1) // 7
        draw.rectangle((left, 0, right - 1, bars_bottom - 1), fill=bar)
        draw.rectangle((left, bars_bottom, right - 1, strip_bottom - 1), fill=reverse)
    ramp = Image.linear_gradient("L").rotate(90).resize((width, height - strip_bottom))
    im.paste(Image.merge("RGB", (ramp, ramp, ramp)), (0, strip_bottom))
    return im
