"""Normalised (Kivy) points <-> canvas (wire) points.

Two conventions meet here:

* normalised: what the terminal's Kivy widget produces, ``(touch.x - widget.x) /
  widget.width`` and the same for y: 0..1 across the widget, y UP, origin at the
  BOTTOM-left (Kivy's convention). Values outside 0..1 are a finger past the edge.
* canvas: what ``Drawing`` and the wire hold: 0..width and 0..height canvas units,
  y DOWN, origin at the TOP-left (the convention of images and of the PNG renderer).

So ``x_canvas = x_norm * width`` and ``y_canvas = (1 - y_norm) * height``: the y axis
flips. Pick the canvas size as the widget's size in pixels, and stroke widths and the
editor's 1-unit decimation then mean screen pixels.
"""

from __future__ import annotations

from collections.abc import Iterable

from sketch.model import Point


def point_to_canvas(point: Point, width: float, height: float) -> Point:
    """Normalised, y-up ``point`` -> canvas units, y down, on a ``width`` x ``height`` canvas."""
    x, y = point
    return x * width, (1.0 - y) * height


def point_to_normalised(point: Point, width: float, height: float) -> Point:
    """Canvas ``point`` (y down) -> normalised, y up: the inverse of ``point_to_canvas``."""
    x, y = point
    return x / width, 1.0 - y / height


def points_to_canvas(points: Iterable[Point], width: float,
                     height: float) -> tuple[Point, ...]:
    """``point_to_canvas`` over a stroke's points."""
    return tuple((x * width, (1.0 - y) * height) for x, y in points)


def points_to_normalised(points: Iterable[Point], width: float,
                         height: float) -> tuple[Point, ...]:
    """``point_to_normalised`` over a stroke's points (to redraw a received drawing in Kivy)."""
    return tuple((x / width, 1.0 - y / height) for x, y in points)
