"""A drawing message's picture: the server renders the strokes to PNG once, on arrival.

Same renderer as the terminal (``sketch``), same defaults, so the picture every
recipient gets is the one the sender saw (byte for byte with the same Pillow). It is
stored content-addressed like an uploaded photo and named by the message's
``attachment_sha256``: pull then hands terminals an ``attachment`` to download, and
expiry deletes it with the message.

Rendering costs up to about half a second of CPU for the largest drawing, so it never
runs inside a write transaction (which would hold every other terminal's punch) and
never on more threads than ``DrawingRenderer`` has: a push renders its drawings first,
on that pool, then opens its transaction. ``InkBudget`` bounds how much a terminal
may have rendered per minute; the items past it are deferred, not refused.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from server.protocol import errors
from server.protocol.push import Drawing as WireDrawing
from server.repo import Refused
from sketch import Drawing, DrawingError, render_png

log = logging.getLogger("server.drawings")

CONTENT_TYPE = "image/png"

Rendered = tuple[str, bytes]  # (sha256, PNG bytes)


def ink(drawing: WireDrawing) -> int:
    """A drawing's ink: its number of points (what the budgets count)."""
    return sum(len(stroke.points) for stroke in drawing.strokes)


def render(drawing: WireDrawing) -> Rendered:
    """(sha256, PNG bytes) of a validated wire drawing; Refused(invalid_payload) if the
    renderer's stricter model refuses it."""
    started = time.perf_counter()
    try:
        png = render_png(Drawing.from_wire(drawing.model_dump()))
    except (DrawingError, ValueError) as error:
        raise Refused(errors.INVALID_PAYLOAD, f"drawing: {error}") from None
    log.debug("rendered a %dx%d drawing, %d strokes, in %.1f ms", drawing.width,
              drawing.height, len(drawing.strokes), (time.perf_counter() - started) * 1000)
    return hashlib.sha256(png).hexdigest(), png


class DrawingRenderer:
    """A bounded pool: at most ``threads`` drawings render at once, server-wide."""

    def __init__(self, threads: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="drawings")

    def render_all(self, drawings: Sequence[WireDrawing]) -> list[Rendered | Refused]:
        """Render each drawing on the pool; a refused one gives its Refused in place."""

        def guarded(drawing: WireDrawing) -> Rendered | Refused:
            try:
                return render(drawing)
            except Refused as refused:
                return refused

        return list(self._pool.map(guarded, drawings))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class InkBudget:
    """Per terminal, a bucket of ``per_minute`` points refilled continuously.

    In memory, per server process: a restart or a second process gives a terminal a
    fresh minute, which bounds the cost well enough (this is about load, not secrecy).
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[int, tuple[float, float]] = {}  # terminal -> (points, at)

    def _level(self, terminal_id: int, now: float) -> float:
        points, at = self._buckets.get(terminal_id, (self.per_minute, now))
        return min(self.per_minute, points + (now - at) * self.per_minute / 60)

    def take(self, terminal_id: int, points: int) -> float:
        """Spend ``points`` and return 0, or spend nothing and return the seconds to wait
        until they are there."""
        with self._lock:
            now = self._clock()
            level = self._level(terminal_id, now)
            if points <= level:
                self._buckets[terminal_id] = (level - points, now)
                return 0.0
            self._buckets[terminal_id] = (level, now)
            return (min(points, self.per_minute) - level) * 60 / self.per_minute
