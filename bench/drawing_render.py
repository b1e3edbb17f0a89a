"""Benchmark: a finger drawing -> PNG with ``sketch.render.render_png`` (target <= 50 ms).

Drawings are made the way the terminal makes them, through ``DrawingEditor`` (1-unit
decimation): random-walk strokes of a finger, pen widths 2-16, six colours.

* realistic: 40 strokes, 5,000 points in all, on 800x480 (the terminal's screen) and
  1280x800, without and with a base photo (a 1600x1200 JPEG), the photo annotation
  also encoded as JPEG (``render_image``) for comparison;
* 100,000 points: 20 full strokes of 5,000 points on 1280x800;
* worst allowed: 500 strokes x 5,000 points (2.5 M points), finger-like on 1280x800,
  and hostile (uniformly random points, width 100) on 4096x4096. The push body limit
  (2 MiB) keeps real uploads near 130,000 points; these check the renderer's bound.

Prints the median and the range of ``--runs`` runs, wall-clock and CPU time of this
process (the CPU time is what to compare on a busy machine), with ``nproc``, the CPU
model, Python and Pillow versions.

    python bench/drawing_render.py [--runs 7] [--quick]
"""

from __future__ import annotations

import argparse
import io
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import PIL  # noqa: E402
from PIL import Image  # noqa: E402

from sketch.editor import DrawingEditor, Edit  # noqa: E402
from sketch.model import Drawing, Stroke  # noqa: E402
from sketch.render import plan_render, render_image, render_png  # noqa: E402

TARGET_MS = 50.0
COLORS = ("#000000", "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd")
WIDTHS = (2.0, 4.0, 6.0, 8.0, 12.0, 16.0)


def finger_drawing(width: int, height: int, strokes: int, points: int,
                   seed: int = 1) -> Drawing:
    """``strokes`` random-walk strokes of ``points`` points each, drawn through the editor."""
    rng = random.Random(seed)
    editor = DrawingEditor(width, height)
    for touch in range(strokes):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        heading = rng.uniform(0, 2 * math.pi)
        editor.begin_stroke(touch, (x, y), COLORS[touch % len(COLORS)],
                            WIDTHS[touch % len(WIDTHS)])
        kept = 1
        while kept < points:
            heading += rng.gauss(0, 0.2)
            x = min(max(x + 3 * math.cos(heading), 0), width)
            y = min(max(y + 3 * math.sin(heading), 0), height)
            if editor.add_point(touch, (x, y)) in (Edit.DRAWN, Edit.SPLIT):
                kept += 1
        editor.end_stroke(touch)
    return editor.drawing


def hostile_drawing(seed: int = 2) -> Drawing:
    """The most ink the wire allows: 500 x 5,000 random points, width 100, 4096x4096."""
    rng = random.Random(seed)
    side = 4096
    strokes = tuple(
        Stroke(f"#{rng.randrange(1 << 24):06x}", 100.0,
               tuple((rng.uniform(0, side), rng.uniform(0, side)) for _ in range(5000)))
        for _ in range(500))
    return Drawing(side, side, strokes)


def photo(width: int = 1600, height: int = 1200) -> bytes:
    image = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def measure(runs: int, job: Callable[[], bytes]) -> tuple[list[float], list[float], int]:
    walls, cpus, size = [], [], 0
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        size = len(job())
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus, size


def report(label: str, drawing: Drawing, runs: int, target: float | None = None,
           jpeg: bool = False, **options) -> None:
    """Render ``runs`` times and print one line: medians, ranges, PNG size, plan."""
    plan = plan_render(drawing, scale=options.get("scale", 1.0))

    def job() -> bytes:
        if not jpeg:
            return render_png(drawing, **options)
        buffer = io.BytesIO()
        render_image(drawing, **options).save(buffer, "JPEG", quality=90)
        return buffer.getvalue()

    walls, cpus, size = measure(runs, job)
    verdict = ""
    if target is not None:
        verdict = "  ok" if statistics.median(cpus) <= target else f"  OVER {target:.0f} ms"
    degraded = f" degraded to {plan.device_size[0]}x{plan.device_size[1]}" if plan.degraded else ""
    print(f"{label:46} {drawing.point_count:>9,} pts  "
          f"wall {statistics.median(walls):7.1f} ms ({min(walls):.1f}-{max(walls):.1f})  "
          f"cpu {statistics.median(cpus):7.1f} ms  {size / 1024:6.1f} KiB  "
          f"x{plan.supersample}{degraded}{verdict}")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="skip the worst cases")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"nproc {os.cpu_count()}, {cpu_model()}, load {load:.2f}, "
          f"Python {platform.python_version()}, Pillow {PIL.__version__}")
    base = photo()
    for width, height in ((800, 480), (1280, 800)):
        drawing = finger_drawing(width, height, strokes=40, points=125)
        report(f"realistic {width}x{height}", drawing, args.runs, TARGET_MS)
        report(f"realistic {width}x{height} + photo", drawing, args.runs, TARGET_MS,
               base_image=base)
        report(f"realistic {width}x{height} + photo, JPEG q90", drawing, args.runs,
               TARGET_MS, jpeg=True, base_image=base)
    report("realistic 800x480, server copy at scale 2",
           finger_drawing(800, 480, strokes=40, points=125), args.runs, scale=2.0)
    report("100,000 points 1280x800", finger_drawing(1280, 800, 20, 5000), args.runs)
    if not args.quick:
        runs = max(1, min(args.runs, 3))
        started = time.perf_counter()
        worst = finger_drawing(1280, 800, strokes=500, points=5000)
        print(f"(built the 2.5 M-point drawing in {time.perf_counter() - started:.1f} s)")
        report("worst allowed, finger-like 1280x800", worst, runs)
        del worst
        report("worst allowed, hostile 4096x4096 w=100", hostile_drawing(), runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
