"""Benchmark: frame rate of the drawing screen while a finger draws (target >= 55 fps).

In-process, on the real app (offscreen window, Mesa): a worker badges in, opens
compose, then the drawing screen. The paper is pre-loaded with ``--points`` points
(5,000 by default: 10 strokes through Kivy touch events, the three pen widths,
five inks). Then each run is one stroke drawn by a synthetic finger that moves on
every frame (a ``Clock`` callback before each frame, about 6 px per move, a
Lissajous path over the paper) for ``--seconds``; the stroke is undone between
runs, so each run starts from the same drawing. A frame is timed from one
``on_flip`` to the next, after ``glFinish`` (rasterised, not only queued). Reports
per size the median of the runs' frame rates and the worst 5% frame time (p95 of
every frame), the CPU time per frame (less sensitive to other processes than the
frame rate, on a shared machine), and a few one-off costs: the finger up (the
last piece of the stroke into the paper's texture), an undo (a texture copy) and a
full repaint of the pre-loaded points (an undo further back than the kept states).

    python bench/drawing_fps.py [--runs 5] [--seconds 3] [--points 5000] [--size 800x480]

Without ``--size`` it runs 800x480 and 1280x800, one process each (Kivy sizes its
window once per process).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_site import percentile  # noqa: E402
from kiosk.ui.wiring.boot import configure_kivy  # noqa: E402

TARGET_FPS = 55.0
SIZES = ("800x480", "1280x800")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--size", choices=SIZES + ("1024x600",))
    args = parser.parse_args(argv)
    if args.size is None:
        load = os.getloadavg()[0]
        print(f"nproc {os.cpu_count()}, load {load:.2f}; {args.runs} runs of "
              f"{args.seconds:.0f} s per size, {args.points:,} points on the paper")
        for size in SIZES:
            command = [sys.executable, __file__, "--size", size, "--runs", str(args.runs),
                       "--seconds", str(args.seconds), "--points", str(args.points)]
            if subprocess.run(command, check=False).returncode != 0:
                return 1
        return 0
    width, height = (int(v) for v in args.size.split("x"))
    configure_kivy(width, height, headless=True)
    return measure(args)


def measure(args: argparse.Namespace) -> int:
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    from kiosk.demo.company import DEMO_WORKERS
    from kiosk.demo.prepare import demo_config
    from kiosk.ui.tooling.harness import Harness
    from kiosk.ui.wiring.app import KioskApp

    config = demo_config(Path(tempfile.mkdtemp(prefix="kiosk-bench-")), session_timeout_s=600)
    harness = Harness(KioskApp(config))
    harness.start()
    try:
        harness.wait_until(lambda: harness.shell.status.reader_state == "connected", 10)
        harness.present(next(w.badge for w in DEMO_WORKERS if w.badge_active))
        harness.wait_for_screen("welcome")
        harness.router.compose_new()
        harness.wait_for_screen("compose")
        harness.router.open_drawing()
        screen = harness.screen("drawing")
        sketch = screen.ids.sketch
        harness.wait_until(lambda: sketch.ready, 5, "the paper")
        preload(harness, screen, args.points)
        loaded = sketch.drawing.point_count
        flips: list[float] = []

        def on_flip(*_: object) -> None:
            glFinish()  # the frame is rasterised, not just queued to the GL driver
            flips.append(time.perf_counter())

        Window.bind(on_flip=on_flip)
        rates, frames, points, cpus = [], [], [], []
        for run in range(args.runs + 1):  # the first run warms caches: not counted
            finger = SyntheticFinger(screen, phase=run * 0.7)
            mover = Clock.schedule_interval(lambda _dt, f=finger: f.step(), 0)
            flips.clear()
            cpu = time.process_time()
            harness.pump(args.seconds)
            cpu = time.process_time() - cpu
            mover.cancel()
            finger.up()
            times = [b - a for a, b in zip(flips, flips[1:], strict=False)]
            if run and times:
                rates.append(len(times) / sum(times))
                frames.extend(times)
                points.append(len(sketch.drawing.strokes[-1].points))
                cpus.append(cpu / len(times) * 1000)
            sketch.undo()
            harness.pump(0.1)
        Window.unbind(on_flip=on_flip)
        costs = one_off_costs(harness, screen)
    finally:
        harness.stop()
    ms = [t * 1000 for t in frames]
    fps = statistics.median(rates)
    verdict = "ok" if fps >= TARGET_FPS else "UNDER"
    print(f"{args.size}: {loaded:,} points on the paper, a stroke of "
          f"{min(points)}-{max(points)} points drawn per run, {len(rates)} runs")
    print(f"  frame rate median {fps:.1f} fps (runs {min(rates):.1f}-{max(rates):.1f}); "
          f"frame time median {statistics.median(ms):.1f} ms, worst 5% >= "
          f"{percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms  "
          f"[{verdict}: >= {TARGET_FPS:.0f} fps]")
    print(f"  CPU per frame (this process, Mesa's threads included) median "
          f"{statistics.median(cpus):.1f} ms")
    print("  one-off: " + ", ".join(f"{name} {value:.1f} ms" for name, value in costs))
    return 0


def preload(harness: object, screen: object, points: int) -> None:
    """``points`` points in 10 strokes, through Kivy touch events (the real path)."""
    from kivy.tests.common import UnitTestTouch

    sketch = screen.ids.sketch
    x0, y0, width, height = sketch.paper_rect
    rng = random.Random(7)
    strokes = 10
    for n in range(strokes):
        screen.pick_ink(screen.inks[n % len(screen.inks)])
        screen.pick_size(n % len(screen.pen_sizes))
        want = points // strokes + (1 if n < points % strokes else 0)
        x, y, heading = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height, 0.0
        touch = UnitTestTouch(*sketch.to_window(x0 + x, y0 + y))
        touch.touch_down()
        before = sketch.drawing.point_count
        while sketch.drawing.point_count - before < want:
            heading += rng.gauss(0, 0.25)
            x = min(max(x + 3 * math.cos(heading), 0), width - 1)
            y = min(max(y + 3 * math.sin(heading), 0), height - 1)
            touch.touch_move(*sketch.to_window(x0 + x, y0 + y))
        touch.touch_up()
        harness.pump(0.02)
    screen.pick_ink(screen.inks[1])
    screen.pick_size(1)


class SyntheticFinger:
    """A finger moving on every frame along a Lissajous curve over the paper."""

    def __init__(self, screen: object, phase: float) -> None:
        from kivy.tests.common import UnitTestTouch

        self.sketch = screen.ids.sketch
        self.t = phase
        self.touch = UnitTestTouch(*self._position())
        self.touch.touch_down()

    def _position(self) -> tuple[float, float]:
        x0, y0, width, height = self.sketch.paper_rect
        x = x0 + width * (0.5 + 0.42 * math.sin(3 * self.t))
        y = y0 + height * (0.5 + 0.42 * math.sin(2 * self.t + 0.5))
        return self.sketch.to_window(x, y)

    def step(self) -> None:
        self.t += 0.006  # about 6 px per frame at 800x480
        self.touch.touch_move(*self._position())

    def up(self) -> None:
        self.touch.touch_up()


def one_off_costs(harness: object, screen: object) -> list[tuple[str, float]]:
    """Finger up after a 300-point stroke, undo of it (a kept state), full repaint."""
    from kivy.graphics.opengl import glFinish

    sketch = screen.ids.sketch
    finger = SyntheticFinger(screen, phase=0.3)
    for _ in range(300):
        finger.step()
    started = time.perf_counter()
    finger.up()
    glFinish()
    up = time.perf_counter() - started
    harness.pump(0.1)
    started = time.perf_counter()
    sketch.undo()
    glFinish()
    undo = time.perf_counter() - started
    harness.pump(0.1)
    sheet = sketch._sheet  # a repaint of everything, as an undo past the kept states does
    sheet.release()
    started = time.perf_counter()
    sheet.show(sketch._editor.strokes)
    glFinish()
    repaint = time.perf_counter() - started
    return [("finger up", up * 1000), ("undo", undo * 1000), ("full repaint", repaint * 1000)]


if __name__ == "__main__":
    raise SystemExit(main())
