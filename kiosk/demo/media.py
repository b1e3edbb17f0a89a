"""The demo company's pictures: a photo of a storage rack and a finger-drawn site map.

Drawn with Pillow and the sketch model at run time (no binary files in the
repository), the same bytes every time: their sha256 is their attachment id on
the terminal and on the server alike.
"""

from __future__ import annotations

import hashlib
import io
from functools import cache

from sketch import Drawing, Stroke

PHOTO_SIZE = (1200, 900)


@cache
def demo_photo() -> bytes:
    """A JPEG of a storage rack with labelled bins, as a manager would photograph it."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE)
    draw = ImageDraw.Draw(image)
    floor_y = int(height * 0.78)
    for y in range(floor_y):  # a painted wall, lighter up high
        shade = 200 - int(60 * y / floor_y)
        draw.line([(0, y), (width, y)], fill=(shade - 20, shade - 8, shade))
    for y in range(floor_y, height):  # polished concrete
        shade = 150 + int(40 * (y - floor_y) / (height - floor_y))
        draw.line([(0, y), (width, y)], fill=(shade, shade - 4, shade - 10))
    # Yellow and black safety stripes along the rack's foot.
    for x in range(0, width, 60):
        draw.polygon([(x, floor_y + 10), (x + 30, floor_y + 10), (x + 10, floor_y + 40),
                      (x - 20, floor_y + 40)], fill=(250, 204, 21))
    uprights = (120, 560, 1000)
    beams = (floor_y - 40, floor_y - 250, floor_y - 460)
    box_colours = ((176, 124, 72), (196, 146, 88), (160, 110, 64), (86, 130, 190))
    for level, beam_y in enumerate(beams):
        for bay, left in enumerate(uprights[:-1]):
            x = left + 40
            for n in range(3):  # three bins per bay, their colours a fixed pattern
                colour = box_colours[(level + bay + n) % len(box_colours)]
                top = beam_y - 150 + 20 * ((level + n) % 2)
                draw.rectangle([x, top, x + 110, beam_y - 6], fill=colour, outline=(60, 40, 20),
                               width=3)
                draw.rectangle([x + 30, top + 40, x + 80, top + 70], fill=(245, 245, 240))
                x += 135
        draw.rectangle([uprights[0], beam_y - 6, uprights[-1] + 30, beam_y + 18],
                       fill=(37, 99, 235))
    for x in uprights:
        draw.rectangle([x, beams[-1] - 200, x + 30, floor_y + 10], fill=(234, 88, 12))
    font = ImageFont.load_default(size=64)
    draw.rounded_rectangle([40, 40, 430, 150], radius=18, fill=(22, 163, 74))
    draw.text((70, 58), "POSTE 3", font=font, fill=(255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(0.8))  # a camera, not a vector drawing
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def demo_photo_sha256() -> str:
    return hashlib.sha256(demo_photo()).hexdigest()


def _line(*points: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    return tuple(points)


def _arc(cx: float, cy: float, r: float, steps: int = 24) -> tuple[tuple[float, float], ...]:
    import math

    return tuple((round(cx + r * math.cos(2 * math.pi * i / steps), 1),
                  round(cy + r * math.sin(2 * math.pi * i / steps), 1))
                 for i in range(steps + 1))


@cache
def demo_drawing() -> Drawing:
    """A site map drawn with a finger: the hall, dock 3 circled, an arrow to it."""
    black, red, blue = "#111827", "#DC2626", "#2563EB"
    return Drawing(800, 480, (
        Stroke(black, 6, _line((80, 60), (520, 60), (520, 420), (80, 420), (80, 60))),
        Stroke(black, 6, _line((520, 200), (720, 200), (720, 420), (520, 420))),
        Stroke(blue, 4, _line((120, 380), (200, 380), (200, 300), (120, 300), (120, 380))),
        Stroke(blue, 4, _line((240, 380), (320, 380), (320, 300), (240, 300), (240, 380))),
        Stroke(red, 8, _arc(620, 330, 60)),
        Stroke(red, 8, _line((300, 140), (420, 200), (555, 300))),
        Stroke(red, 8, _line((520, 300), (555, 300), (545, 265))),
    ))
