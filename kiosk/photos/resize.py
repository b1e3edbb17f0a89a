"""The final resize and rotation of the photo pipeline, split over two threads when big.

After the DCT-scaled decode, resizing is the largest cost left (a 2000x1500 draft to
1600x1200 takes longer than the JPEG encode). Pillow releases the GIL while
resampling and transposing, so the bottom half is resized (and turned upright) on a
helper thread while the calling thread does the top half: on the 2-core bench machine
the step takes a little over half the time. Each half is resized with ``box`` set to
its part of the source, so the filter still reads across the seam (the result differs
from a one-piece resize by at most one level of rounding).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

# Below this many source pixels, handing half the work to a thread costs more than it
# saves (a 1 MP resize is a few milliseconds).
PARALLEL_MIN_PIXELS = 1_000_000
# Modes Pillow resamples directly. RGBA/LA are premultiplied first by ``resize`` itself:
# split, each half would convert the whole source again.
_SPLITTABLE = frozenset({"RGB", "L", "CMYK"})

T = Image.Transpose
# Where a horizontal band of rows lands once transposed: (rows became columns,
# order reversed).
_PLACEMENT: dict[T | None, tuple[bool, bool]] = {
    None: (False, False), T.FLIP_LEFT_RIGHT: (False, False),
    T.FLIP_TOP_BOTTOM: (False, True), T.ROTATE_180: (False, True),
    T.ROTATE_90: (True, False), T.TRANSPOSE: (True, False),
    T.ROTATE_270: (True, True), T.TRANSVERSE: (True, True),
}

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _helper() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-resize")
        return _pool


def resize_upright(
    im: Image.Image,
    target: tuple[int, int],
    resample: Image.Resampling,
    reducing_gap: float | None = None,
    transpose: Image.Transpose | None = None,
) -> Image.Image:
    """``im`` resized to ``target`` (before ``transpose``), then transposed.

    Top and bottom halves go in parallel when the source is big enough and the mode
    allows; otherwise one plain resize and transpose.
    """
    width, height = im.size
    if (
        (os.cpu_count() or 1) < 2
        or width * height < PARALLEL_MIN_PIXELS
        or im.mode not in _SPLITTABLE
        or target[1] < 2
        or im.size == target
    ):
        if im.size != target:
            im = im.resize(target, resample, reducing_gap=reducing_gap)
        return im if transpose is None else im.transpose(transpose)
    split = target[1] // 2
    seam = height * split / target[1]  # the source row the output seam maps to

    def band(rows: int, box: tuple[float, float, float, float]) -> Image.Image:
        part = im.resize((target[0], rows), resample, box, reducing_gap)
        return part if transpose is None else part.transpose(transpose)

    lower = _helper().submit(band, target[1] - split, (0, seam, width, height))
    try:
        upper = band(split, (0, 0, width, seam))
    finally:
        bottom = lower.result()  # never leave the helper working on a closed image
    swapped, reversed_ = _PLACEMENT[transpose]
    # Not initialised (None): both halves cover it whole.
    out = Image.new(im.mode, (target[1], target[0]) if swapped else target, None)
    for part, start, rows in ((upper, 0, split), (bottom, split, target[1] - split)):
        offset = target[1] - start - rows if reversed_ else start
        out.paste(part, (offset, 0) if swapped else (0, offset))
    return out
