"""Benchmark: a 12 MP camera JPEG to an outbox JPEG in <= 150 ms and <= 0.3x plain Pillow.

Generates its own photo-like 4000x3000 JPEG (lighting gradients, objects with hard
edges, fine lines, sensor noise; quality 92, EXIF orientation 6, GPS), then times, in
the same process and interleaved round by round:

* ``prepare_photo``: the terminal pipeline (DCT-domain draft decode, final resize and
  rotation split over two threads, metadata strip, JPEG q85, sha256), and the same on
  one thread (what a single-core board, or a busy second core, gets);
* the plain Pillow way: ``Image.open`` + ``resize((1600, 1200), LANCZOS)`` + save q85,
  and the same with Pillow's default filter (bicubic), for reference;
* the draft decode alone: the floor any Pillow pipeline has on this file.

Medians of wall time (``time.perf_counter``) decide; CPU time (``process_time``) is
shown too, as it is less disturbed by other load on the machine.

    python bench/photo_prepare.py [--runs 15] [--noise 6] [--compare-filters] [--check]
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
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat, features

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.photos import prepare, prepare_photo, resize  # noqa: E402

BUDGET_MS = 150.0
BUDGET_RATIO = 0.3
TARGET = (1600, 1200)


def make_camera_jpeg(
    width: int = 4000, height: int = 3000, *, noise: float = 6, seed: int = 12
) -> bytes:
    """A photo-like JPEG as a phone would write it: q92, 4:2:0, EXIF orientation + GPS.

    Pure noise would compress unrealistically badly and flat colour unrealistically well;
    this mixes smooth lighting, hard-edged objects, thin lines and sensor noise so the
    file lands at a typical 12 MP size (~3-4 MB).
    """
    rnd = random.Random(seed)
    size = (width, height)
    # Scene lighting: smooth gradients and a blurry low-frequency colour field.
    red = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    green = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    blue = Image.effect_noise((40, 30), 60).resize(size, Image.Resampling.BICUBIC)
    im = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(im)
    for _ in range(300):  # objects
        x, y, s = rnd.randrange(width), rnd.randrange(height), rnd.randrange(20, 400)
        fill = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        if rnd.random() < 0.5:
            draw.rectangle((x, y, x + s, y + s // 2), fill=fill)
        else:
            draw.ellipse((x, y, x + s, y + s), fill=fill)
    for _ in range(200):  # cables, edges, text-like strokes
        xy = (rnd.randrange(width), rnd.randrange(height))
        xy += (rnd.randrange(width), rnd.randrange(height))
        fill = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        draw.line(xy, fill=fill, width=rnd.randrange(1, 6))
    im = im.filter(ImageFilter.GaussianBlur(1.2))  # lens softness
    # Sensor noise, different per channel.
    grain = Image.effect_noise(size, noise)
    noise_rgb = Image.merge(
        "RGB",
        (
            grain,
            grain.transpose(Image.Transpose.ROTATE_180),
            grain.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        ),
    )
    im = ImageChops.add(im, noise_rgb, 1.0, -128)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: camera held upright, sensor rotated
    exif[0x010F] = "Bench"  # Make
    exif.get_ifd(0x8825).update({1: "N", 2: (45.0, 30.0, 0.0), 3: "E", 4: (9.0, 10.0, 0.0)})
    out = io.BytesIO()
    im.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def plain_pillow(data: bytes, resample: Image.Resampling | None) -> bytes:
    """The naive pipeline the budget is relative to: open, resize, save."""
    im = Image.open(io.BytesIO(data))
    im = im.resize(TARGET) if resample is None else im.resize(TARGET, resample)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    return out.getvalue()


def prepare_one_thread(data: bytes) -> None:
    """``prepare_photo`` with the split resize turned off."""
    split_from = resize.PARALLEL_MIN_PIXELS
    resize.PARALLEL_MIN_PIXELS = 1 << 62
    try:
        prepare_photo(data)
    finally:
        resize.PARALLEL_MIN_PIXELS = split_from


def draft_decode_only(data: bytes) -> None:
    """The floor of any JPEG pipeline here: DCT-scaled decode, nothing else.

    DCT scaling skips most IDCT work but not the Huffman decoding of every coefficient,
    so this cost stays proportional to the file size.
    """
    im = Image.open(io.BytesIO(data))
    im.draft(im.mode, TARGET)
    im.load()


@dataclass(frozen=True)
class Timing:
    """Milliseconds over the timed rounds of one case."""

    wall: list[float]
    cpu: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def measure(
    cases: dict[str, Callable[[], object]], runs: int, warmup: int = 2
) -> dict[str, Timing]:
    """Time each case ``runs`` times, interleaved round by round, order alternating.

    Interleaving spreads whatever else the machine is doing evenly over the cases, so
    their ratio stays meaningful on a busy machine even when absolute times wobble.
    """
    names = list(cases)
    for _ in range(warmup):
        for name in names:
            cases[name]()
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for round_no in range(runs):
        for name in names if round_no % 2 == 0 else reversed(names):
            w0, c0 = time.perf_counter(), time.process_time()
            cases[name]()
            cpu[name].append((time.process_time() - c0) * 1000)
            wall[name].append((time.perf_counter() - w0) * 1000)
    return {name: Timing(wall[name], cpu[name]) for name in names}


def psnr(a: Image.Image, b: Image.Image) -> float:
    """Peak signal-to-noise ratio of two same-size RGB images, in dB."""
    sum2 = ImageStat.Stat(ImageChops.difference(a, b)).sum2
    mse = sum(sum2) / (3 * a.width * a.height)
    return 10 * math.log10(255**2 / mse) if mse else math.inf


def compare_filters(data: bytes, runs: int) -> None:
    """Time and quality of the candidate final resample filters (quality after q85 save)."""
    reference = Image.open(io.BytesIO(data)).transpose(Image.Transpose.ROTATE_270)
    reference = reference.resize((TARGET[1], TARGET[0]), Image.Resampling.LANCZOS)
    chosen = prepare.RESAMPLE
    cases: dict[str, Callable[[], object]] = {}
    filters = [
        Image.Resampling.BOX,
        Image.Resampling.BILINEAR,
        Image.Resampling.HAMMING,
        Image.Resampling.BICUBIC,
        Image.Resampling.LANCZOS,
    ]

    def with_filter(resample: Image.Resampling) -> Callable[[], bytes]:
        def run() -> bytes:
            prepare.RESAMPLE = resample
            return prepare_photo(data).data

        return run

    for resample in filters:
        cases[resample.name] = with_filter(resample)
    cases["plain LANCZOS"] = lambda: plain_pillow(data, Image.Resampling.LANCZOS)
    try:
        results = measure(cases, runs)
        print("\nfinal filter  median ms  CPU ms  / LANCZOS  PSNR vs full-size Lanczos (dB)")
        baseline = results["plain LANCZOS"].median
        for resample in filters:
            timing = results[resample.name]
            out = Image.open(io.BytesIO(with_filter(resample)())).convert("RGB")
            mark = "  <- used" if resample == chosen else ""
            print(
                f"  {resample.name:10s} {timing.median:9.1f} {timing.cpu_median:7.1f} "
                f"{timing.median / baseline:9.3f}  {psnr(out, reference):6.2f}{mark}"
            )
    finally:
        prepare.RESAMPLE = chosen


def describe_machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    turbo = features.version("libjpeg_turbo") or "no"
    return (
        f"{os.cpu_count()} CPUs, {cpu}; load avg {load}; Python {platform.python_version()}, "
        f"Pillow {Image.__version__}, libjpeg-turbo {turbo}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed rounds (median taken)")
    parser.add_argument("--noise", type=float, default=6, help="sensor noise sigma (default 6)")
    parser.add_argument(
        "--compare-filters", action="store_true", help="also time/score final resize filters"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a budget is missed")
    args = parser.parse_args(argv)

    print(describe_machine())
    data = make_camera_jpeg(noise=args.noise)
    photo = prepare_photo(data)
    print(
        f"input: 4000x3000 JPEG q92, EXIF orientation 6, noise sigma {args.noise:g}, "
        f"{len(data) / 1e6:.2f} MB -> {photo.width}x{photo.height} JPEG, {photo.size / 1e3:.0f} kB"
    )
    results = measure(
        {
            "prepare_photo": lambda: prepare_photo(data),
            "  (on one thread)": lambda: prepare_one_thread(data),
            "(draft decode alone)": lambda: draft_decode_only(data),
            "plain Pillow, LANCZOS": lambda: plain_pillow(data, Image.Resampling.LANCZOS),
            "plain Pillow, default": lambda: plain_pillow(data, None),
        },
        args.runs,
    )
    baseline = results["plain Pillow, LANCZOS"]
    print(f"\n{args.runs} interleaved rounds     wall ms: median (min-max)  CPU ms  / LANCZOS")
    for name, t in results.items():
        print(
            f"{name:22s} {t.median:10.1f} ({min(t.wall):6.1f}-{max(t.wall):6.1f}) "
            f"{t.cpu_median:7.1f} {t.median / baseline.median:9.3f}"
        )
    ours = results["prepare_photo"].median
    ratio = ours / baseline.median
    ok_time, ok_ratio = ours <= BUDGET_MS, ratio <= BUDGET_RATIO
    print(
        f"\nprepare_photo median {ours:.1f} ms: budget {BUDGET_MS:.0f} ms "
        f"{'met' if ok_time else 'MISSED'}; {ratio:.3f} x plain Pillow LANCZOS: "
        f"budget {BUDGET_RATIO} {'met' if ok_ratio else 'MISSED'}"
    )
    if args.compare_filters:
        compare_filters(data, max(5, args.runs // 2))
    return 0 if (ok_time and ok_ratio) or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
