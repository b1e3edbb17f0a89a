"""Render a ``Drawing`` to PNG with Pillow, identically on the terminal and the server.

Contract of ``render_png``:

* Output: PNG bytes, ``round(width * scale)`` x ``round(height * scale)`` pixels.
  Canvas coordinates are continuous, y down: pixel (i, j) covers [i, i+1) x [j, j+1).
* Strokes are painted in order, opaque, as polylines ``width * scale`` pixels wide
  with round caps and round joins; a one-point stroke is a dot. Antialiased by
  painting at ``supersample`` times the size and box-downsampling.
* ``background`` fills the canvas. ``base_image`` (JPEG or PNG bytes) is a photo to
  annotate: it is fitted inside the canvas keeping its aspect ratio, centred (Kivy
  ``fit_mode="contain"``), over the background, EXIF orientation applied.
* Deterministic: same input and same Pillow/zlib -> same bytes (the server stores
  renders content-addressed by sha256).
* Bounded cost, whatever the input: the painted area is estimated first, and a drawing
  that would paint more than ``INK_BUDGET`` pixels is painted without supersampling,
  then if need be at a lower resolution and scaled up (blurred: only a drawing that
  covers the canvas many times over gets there). ``plan_render`` says what it chose.

Speed: without a photo, the image is written as an 8-bit palette PNG (background,
stroke colours and their antialiasing blends): a third of the bytes of RGB to filter
and deflate, which is most of the encoding time. With a photo it is RGB, and the PNG
encoding dominates; ``render_image`` gives the image itself (for a Kivy texture, or a
JPEG). Raises ``ValueError`` for a bad ``background``/``scale``/``supersample`` or an
unreadable ``base_image``, ``TypeError`` if ``drawing`` is not a ``Drawing``.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from itertools import islice

from PIL import Image, ImageDraw, ImageOps

from sketch.model import Drawing, check_color

MAX_OUTPUT_PIXELS = 4096 * 4096
MAX_WORK_PIXELS = 4096 * 4096  # the supersampled canvas: 48 MiB in RGB at most
MAX_BASE_PIXELS = 64_000_000  # a photo is refused beyond that (decompression bombs)
# Pixels painted (overdraw included) above which quality is traded for time: about
# 0.5 s of Pillow polygon filling on a server core.
INK_BUDGET = 150_000_000
DISC_AREA = math.pi / 4  # a round join of width w covers about 0.785 w**2 pixels
MIN_JOIN_WIDTH = 3  # device pixels under which a join's notch is invisible: no disc
# Deflate level. Measured at 1280x800: palette PNG 3.9 ms / 48 KiB at 1, 8.7 ms / 33 KiB
# at 6; a photo (RGB) 42 ms / 336 KiB at 1, 100 ms / 254 KiB at 6.
PNG_COMPRESS_LEVEL = 1

RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class RenderPlan:
    """How a drawing will be painted. ``device_size`` is the size strokes are painted at."""

    canvas: tuple[int, int]  # the drawing's width and height
    size: tuple[int, int]  # of the PNG
    device_size: tuple[int, int]
    supersample: int
    degraded: bool  # INK_BUDGET forced a resolution below the output's (blurred)

    @property
    def factors(self) -> tuple[float, float]:
        """Canvas units -> device pixels, per axis."""
        return self.device_size[0] / self.canvas[0], self.device_size[1] / self.canvas[1]


def plan_render(drawing: Drawing, *, scale: float = 1.0, supersample: int = 2) -> RenderPlan:
    """Choose the painting resolution for ``drawing`` (see the module's contract)."""
    if (isinstance(scale, bool) or not isinstance(scale, int | float)
            or not math.isfinite(scale) or scale <= 0):
        raise ValueError(f"scale must be a positive finite number, not {scale!r}")
    if isinstance(supersample, bool) or not isinstance(supersample, int) or not (
            1 <= supersample <= 4):
        raise ValueError(f"supersample must be an integer in 1..4, not {supersample!r}")
    canvas = (drawing.width, drawing.height)
    size = (max(1, round(drawing.width * scale)), max(1, round(drawing.height * scale)))
    if size[0] * size[1] > MAX_OUTPUT_PIXELS:
        raise ValueError(f"{size[0]}x{size[1]} pixels is over the {MAX_OUTPUT_PIXELS} "
                         "pixels a render may have; use a smaller scale")
    while supersample > 1 and size[0] * size[1] * supersample ** 2 > MAX_WORK_PIXELS:
        supersample -= 1
    unit_ink = _canvas_ink(drawing)  # ink at one device pixel per canvas unit
    factor = scale * supersample
    if unit_ink * factor ** 2 > INK_BUDGET:
        supersample, factor = 1, scale
    if unit_ink * factor ** 2 <= INK_BUDGET:
        device = (size[0] * supersample, size[1] * supersample)
        return RenderPlan(canvas, size, device, supersample, False)
    # Ink grows with the square of the resolution (lengths and widths both scale).
    factor *= math.sqrt(INK_BUDGET / (unit_ink * factor ** 2))
    device = (max(1, round(drawing.width * factor)), max(1, round(drawing.height * factor)))
    return RenderPlan(canvas, size, device, 1, True)


def render_png(drawing: Drawing, *, background: str = "#ffffff", scale: float = 1.0,
               base_image: bytes | None = None, supersample: int = 2) -> bytes:
    """PNG bytes of ``drawing`` (see the module's contract)."""
    image, plan = _render(drawing, background, scale, base_image, supersample)
    if base_image is None:
        colors = dict.fromkeys(_rgb(stroke.color) for stroke in drawing.strokes)
        palette = _palette(_rgb(background), list(colors), levels=max(4, plan.supersample ** 2))
        if palette is not None:
            # Each pixel maps to the nearest entry; exact colours map to themselves.
            image = image.quantize(palette=palette, dither=Image.Dither.NONE)
    return _encode(image)


def render_image(drawing: Drawing, *, background: str = "#ffffff", scale: float = 1.0,
                 base_image: bytes | None = None, supersample: int = 2) -> Image.Image:
    """The RGB image ``render_png`` encodes: for a Kivy texture without a PNG round trip,
    or to save a photo annotation as JPEG (a tenth of PNG's encoding time)."""
    return _render(drawing, background, scale, base_image, supersample)[0]


def _render(drawing: Drawing, background: str, scale: float, base_image: bytes | None,
            supersample: int) -> tuple[Image.Image, RenderPlan]:
    if not isinstance(drawing, Drawing):
        raise TypeError(f"expected a sketch.model.Drawing, got {type(drawing).__name__}")
    background_rgb = _rgb(check_color(background))
    plan = plan_render(drawing, scale=scale, supersample=supersample)
    inks = {stroke.color: _rgb(stroke.color) for stroke in drawing.strokes}
    if base_image is None:
        device = Image.new("RGB", plan.device_size, background_rgb)
    else:
        photo = _load_base(base_image, plan.size, background_rgb)
        # Paint over the photo blown up pixel for pixel (NEAREST, integer factor): the
        # box downsampling then gives back each untouched photo pixel exactly, and blends
        # the stroke edges with the photo. (A degraded plan blurs the photo too.)
        device = photo.resize(plan.device_size, Image.Resampling.NEAREST)
    _paint(device, drawing, plan, inks)
    return _resample(device, plan), plan


def _canvas_ink(drawing: Drawing) -> float:
    """Pixels the strokes would paint at one pixel per canvas unit, overdraw included."""
    ink = 0.0
    for stroke in drawing.strokes:
        points = stroke.points
        length = sum(map(math.dist, points, islice(points, 1, None)))
        ink += stroke.width * length + len(points) * DISC_AREA * stroke.width ** 2
    return ink


def _paint(image: Image.Image, drawing: Drawing, plan: RenderPlan,
           inks: dict[str, RGB]) -> None:
    draw = ImageDraw.Draw(image)
    ellipse = draw.ellipse
    fx, fy = plan.factors
    width_factor = (fx + fy) / 2  # equal up to the rounding of the output size
    for stroke in drawing.strokes:
        ink = inks[stroke.color]
        width = max(1, round(stroke.width * width_factor))
        # Pillow addresses pixel centres: canvas x (pixel i covers [i, i+1)) is x - 0.5.
        points = [(x * fx - 0.5, y * fy - 0.5) for x, y in stroke.points]
        if len(points) > 1:
            draw.line(points, fill=ink, width=width)  # butt-ended segments, no joins
        if width < MIN_JOIN_WIDTH and len(points) > 1:
            continue
        # A disc at every vertex makes the caps and the joins round. Butt-ended segments
        # leave a V notch down to the centre line at every turn, so even a finger's
        # gentle curve needs them (skipping the straightest vertices saved ~5%: not worth
        # the slivers). One C call each; Pillow's joint="curve" is Python per vertex.
        radius = (width - 1) / 2  # the disc then spans the same pixels as the line
        for x, y in points:
            ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)


def _resample(device: Image.Image, plan: RenderPlan) -> Image.Image:
    if device.size == plan.size:
        return device
    if plan.supersample > 1 and not plan.degraded:
        return device.reduce(plan.supersample)  # box filter: the antialiasing
    return device.resize(plan.size, Image.Resampling.BILINEAR)


def _palette(background: RGB, colors: list[RGB], levels: int) -> Image.Image | None:
    """A palette image: background, each colour, and ``levels`` blends of each with the
    background (the antialiased edges). None when over 256 entries: stay in RGB."""
    entries = dict.fromkeys([background])
    for color in colors:
        for step in range(1, levels + 1):
            entries[tuple(round(b + (c - b) * step / levels)
                          for b, c in zip(background, color, strict=True))] = None
    if len(entries) > 256:
        return None
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for entry in entries for channel in entry])
    return palette


def _load_base(data: bytes, size: tuple[int, int], background: RGB) -> Image.Image:
    """The photo fitted inside ``size`` (aspect kept, centred) on the background, RGB."""
    try:
        with Image.open(io.BytesIO(data)) as photo:
            if photo.format not in ("JPEG", "PNG"):
                raise ValueError(f"base_image is {photo.format}, not JPEG or PNG")
            if photo.width * photo.height > MAX_BASE_PIXELS:
                raise ValueError(f"base_image is {photo.width}x{photo.height}, over "
                                 f"{MAX_BASE_PIXELS} pixels")
            orientation = photo.getexif().get(0x0112, 1)
            turned = orientation in (5, 6, 7, 8)  # EXIF: a quarter turn
            shown = (photo.height, photo.width) if turned else photo.size
            fit = fit_inside(shown, size)
            # JPEG: decode at 1/2, 1/4 or 1/8 scale when that is still big enough.
            photo.draft("RGB", (fit[1], fit[0]) if turned else fit)
            upright = ImageOps.exif_transpose(photo) if orientation != 1 else photo
            alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            mode = "RGBA" if alpha else "RGB"
            upright = upright if upright.mode == mode else upright.convert(mode)
            # BOX averages when shrinking (as good, twice as fast); BILINEAR enlarges.
            shrink = fit[0] <= upright.width
            fitted = upright.resize(fit, Image.Resampling.BOX if shrink
                                    else Image.Resampling.BILINEAR)
    except ValueError:
        raise
    except Exception as error:  # hostile bytes can break a decoder in many ways
        raise ValueError(f"base_image is not a readable JPEG or PNG: {error}") from error
    image = Image.new("RGB", size, background)
    corner = ((size[0] - fit[0]) // 2, (size[1] - fit[1]) // 2)
    image.paste(fitted, corner, fitted if alpha else None)
    return image


def fit_inside(inner: tuple[int, int], outer: tuple[int, int]) -> tuple[int, int]:
    """``inner`` scaled to fit inside ``outer``, aspect kept, rounded to whole pixels (at
    least 1): where ``render_image`` places a base photo, so callers that crop or map
    onto it (``kiosk.domain.message_attachments``) land on the same pixels."""
    ratio = min(outer[0] / inner[0], outer[1] / inner[1])
    return max(1, round(inner[0] * ratio)), max(1, round(inner[1] * ratio))


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def _rgb(color: str) -> RGB:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
