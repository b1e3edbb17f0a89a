"""A drawing message's picture: the server renders the strokes to PNG once, on arrival.

Same renderer as the terminal (``sketch``), same defaults, so the picture every
recipient gets is the one the sender saw (byte for byte with the same Pillow). It is
stored content-addressed like an uploaded photo and named by the message's
``attachment_sha256``: pull then hands terminals an ``attachment`` to download, and
expiry deletes it with the message.

Rendering costs up to about half a second of CPU for the largest drawing, most of it
Python (a disc per point for the round joins), so it runs neither inside a write
transaction (which would hold every other terminal's punch) nor in the server's own
process, where it would hold the interpreter lock that every request needs:
``DrawingRenderer`` is a pool of worker processes, ``processes`` at most. A push
renders its drawings there first, then opens its transaction. ``MinuteBudget`` bounds
how much a terminal may have rendered per minute; the items past it are deferred,
not refused.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from contract import error_codes as errors
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
    """(sha256, PNG bytes) of a validated wire drawing, on this thread; Refused
    (invalid_payload) if the renderer's stricter model refuses it."""
    started = time.perf_counter()
    sha256, result = _render_in_worker(drawing.model_dump())
    if sha256 is None:
        raise Refused(errors.INVALID_PAYLOAD, str(result))
    log.debug("rendered a %dx%d drawing, %d strokes, in %.1f ms", drawing.width,
              drawing.height, len(drawing.strokes), (time.perf_counter() - started) * 1000)
    return sha256, bytes(result)


def _render_in_worker(wire: dict[str, Any]) -> Rendered | tuple[None, str]:
    """Run in a pool process: the PNG of a wire drawing, or (None, why) if refused."""
    try:
        png = render_png(Drawing.from_wire(wire))
    except (DrawingError, ValueError) as error:
        return None, f"drawing: {error}"
    return hashlib.sha256(png).hexdigest(), png


class DrawingRenderer:
    """A bounded pool: at most ``processes`` drawings render at once, server-wide.

    ``processes=0`` renders on one thread of this process instead (tests and the demo's
    embedded server, where a child process per server would cost more than it saves).
    Workers start on first use, with ``forkserver``: forking a threaded server is unsafe.
    """

    def __init__(self, processes: int = 1) -> None:
        self._processes = processes
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> Executor:
        if self._processes > 0:
            return ProcessPoolExecutor(max_workers=self._processes,
                                       mp_context=multiprocessing.get_context("forkserver"))
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="drawings")

    def render_all(self, drawings: Sequence[WireDrawing]) -> list[Rendered | Refused]:
        """Render each drawing on the pool; a refused one gives its Refused in place.

        A worker process that dies (killed for memory, say) breaks the pool: it is made
        again and the drawings rendered once more; if that breaks too, rendering moves
        to a thread of this process for good, logged: slower for others, never stuck."""
        wires = [drawing.model_dump() for drawing in drawings]
        if not wires:
            return []
        for attempt in range(2):
            pool = self._pool
            try:
                answers = list(pool.map(_render_in_worker, wires))
                break
            except BrokenExecutor:
                with self._lock:
                    if self._pool is pool:
                        if attempt == 1:
                            log.error("drawing render processes keep failing; rendering "
                                      "on a thread of the server from now on")
                            self._processes = 0
                        else:
                            log.warning("a drawing render process died; starting another")
                        self._pool = self._new_pool()
                        pool.shutdown(wait=False, cancel_futures=True)
        else:
            answers = list(self._pool.map(_render_in_worker, wires))
        outcomes: list[Rendered | Refused] = []
        for sha256, result in answers:
            if sha256 is None:
                outcomes.append(Refused(errors.INVALID_PAYLOAD, str(result)))
            else:
                outcomes.append((sha256, bytes(result)))
        return outcomes

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class MinuteBudget:
    """Per terminal, a bucket of ``per_minute`` units (points of ink, rows written)
    refilled continuously.

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

    def wait_before_large_push(self, terminal_id: int) -> float:
        """0 while the terminal has a tenth of its minute left; else the seconds until it
        has. A large push from a terminal that has used its fill is refused
        before its body is even parsed (a hostile terminal resending at once costs
        little); a terminal that honours Retry-After loses nothing."""
        with self._lock:
            floor = self.per_minute / 10
            level = self._level(terminal_id, self._clock())
            return 0.0 if level >= floor else (floor - level) * 60 / self.per_minute

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
