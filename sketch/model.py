"""The drawing as a value: immutable strokes on a canvas, validated, and its wire form.

Contract (the wire format of ``server/protocol/push.py``, field for field):

* ``Drawing``: ``width`` x ``height`` canvas, integers 1..4096; at most 500 strokes,
  painted in order (a later stroke covers an earlier one).
* ``Stroke``: ``color`` ``"#rrggbb"`` (kept lowercase), ``width`` a real number in
  (0, 100] in canvas units, ``points`` 1..5000 ``(x, y)`` pairs.
* Coordinates are canvas units, y DOWN, origin at the top-left corner, like an image;
  a point may lie off the canvas (a finger slid past the edge) but within
  +-100000, finite. ``sketch.geometry`` converts from a Kivy widget's normalised,
  y-up points.

Anything else raises ``DrawingError`` (a ``ValueError``) naming the culprit, e.g.
``strokes[3].points[17]: x is nan; coordinates are finite numbers within +-100000``.
Validation runs in ``__post_init__``, so an existing ``Drawing`` is always sendable.
``DrawingEditor`` is in ``sketch.editor``, which builds on this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The limits the terminal and the server agree on (also the server's wire model's).
from contract.drawing import (
    COORD_LIMIT,
    MAX_CANVAS_SIZE,
    MAX_DRAWING_POINTS,
    MAX_STROKE_POINTS,
    MAX_STROKE_WIDTH,
    MAX_STROKES,
)

Point = tuple[float, float]

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_STROKE_KEYS = frozenset({"color", "width", "points"})
_DRAWING_KEYS = frozenset({"width", "height", "strokes"})


class DrawingError(ValueError):
    """A drawing breaks the wire format. ``path`` locates the culprit (``strokes[3].color``)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)

    def within(self, parent: str) -> DrawingError:
        """The same error seen from ``parent``: ``x`` in ``points[2]`` is ``points[2].x``."""
        joint = "" if not self.path or self.path.startswith("[") else "."
        return DrawingError(f"{parent}{joint}{self.path}", self.problem)


def _short(value: Any) -> str:
    """repr() cut short: an error message must not echo a megabyte of hostile input."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_real(value: Any) -> bool:
    # bool is an int subclass, and True as a width or a coordinate is a bug, not 1.
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_color(color: Any) -> str:
    """``"#rrggbb"`` in any case -> lowercase; anything else -> ``DrawingError``."""
    if not isinstance(color, str) or not _COLOR.fullmatch(color):
        raise DrawingError("color", f"{_short(color)} is not a colour like '#1a2b3c'")
    return color.lower()


def check_width(width: Any) -> float:
    """A stroke width in (0, 100] canvas units, as a float."""
    if not _is_real(width) or not 0 < width <= MAX_STROKE_WIDTH:
        raise DrawingError("width", f"{_short(width)} is not a number in (0, 100]")
    return float(width)


def check_point(point: Any) -> Point:
    """One ``(x, y)`` pair of finite numbers within +-COORD_LIMIT, as floats."""
    try:
        x, y = point
    except (TypeError, ValueError):
        raise DrawingError("", f"expected an [x, y] pair, got {_short(point)}") from None
    for name, value in (("x", x), ("y", y)):
        # The chained comparison is False for NaN as well as for out-of-range values.
        if not _is_real(value) or not -COORD_LIMIT <= value <= COORD_LIMIT:
            raise DrawingError(name, f"{_short(value)}: coordinates are finite numbers "
                                     f"within +-{COORD_LIMIT:.0f}")
    return float(x), float(y)


def _check_points(points: Any) -> tuple[Point, ...]:
    if isinstance(points, str | bytes) or not isinstance(points, Sequence):
        raise DrawingError("points", f"expected a list of [x, y] pairs, got {_short(points)}")
    # Length first: refuse an oversized list before looking at a single point of it.
    if not 1 <= len(points) <= MAX_STROKE_POINTS:
        raise DrawingError("points", f"has {len(points)} points; a stroke has 1 to "
                                     f"{MAX_STROKE_POINTS}")
    checked: list[Point] = []
    append = checked.append
    low, high = -COORD_LIMIT, COORD_LIMIT
    for index, point in enumerate(points):
        # Fast path for the common case (floats from JSON or from the editor); anything
        # else, including every error, goes through check_point for the message.
        if type(point) in (list, tuple) and len(point) == 2:
            x, y = point
            if type(x) is float and type(y) is float and low <= x <= high and low <= y <= high:
                append((x, y))
                continue
        try:
            append(check_point(point))
        except DrawingError as error:
            raise error.within(f"points[{index}]") from None
    return tuple(checked)


@dataclass(frozen=True, slots=True)
class Stroke:
    """One finger stroke: a round-capped, round-joined polyline ``width`` wide.

    Construction validates and normalises: colour lowercase, width and coordinates as
    floats, points as a tuple of tuples. Raises ``DrawingError``.
    """

    color: str
    width: float
    points: tuple[Point, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "color", check_color(self.color))
        object.__setattr__(self, "width", check_width(self.width))
        object.__setattr__(self, "points", _check_points(self.points))

    @classmethod
    def _trusted(cls, color: str, width: float, points: tuple[Point, ...]) -> Stroke:
        """Skip validation: for the editor, which checked each value as it came in.

        Re-validating a 5000-point stroke at every commit would be wasted work on a
        terminal that is also animating the canvas.
        """
        stroke = object.__new__(cls)
        object.__setattr__(stroke, "color", color)
        object.__setattr__(stroke, "width", width)
        object.__setattr__(stroke, "points", points)
        return stroke

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict of the wire format (points as ``[x, y]`` lists)."""
        return {"color": self.color, "width": self.width,
                "points": [[x, y] for x, y in self.points]}

    @classmethod
    def from_wire(cls, data: Any) -> Stroke:
        """Parse a wire dict (parsed JSON or a pydantic ``model_dump()``); strict: unknown
        or missing keys are refused, as the server refuses them."""
        if not isinstance(data, Mapping):
            raise DrawingError("", f"expected a stroke object, got {_short(data)}")
        _check_keys(data, _STROKE_KEYS)
        return cls(data["color"], data["width"], data["points"])


@dataclass(frozen=True, slots=True)
class Drawing:
    """A finger drawing: strokes on a ``width`` x ``height`` canvas, painted in order.

    Immutable; construction validates (``DrawingError``). Build one with
    ``DrawingEditor`` on the terminal, ``from_wire`` on the server.
    """

    width: int
    height: int
    strokes: tuple[Stroke, ...] = ()

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not (
                    1 <= value <= MAX_CANVAS_SIZE):
                raise DrawingError(name, f"{_short(value)} is not an integer in "
                                         f"1..{MAX_CANVAS_SIZE}")
        strokes = self.strokes
        if isinstance(strokes, str | bytes) or not isinstance(strokes, Sequence):
            raise DrawingError("strokes", f"expected a list of strokes, got {_short(strokes)}")
        if len(strokes) > MAX_STROKES:
            raise DrawingError("strokes", f"has {len(strokes)} strokes; a drawing has at "
                                          f"most {MAX_STROKES}")
        for index, stroke in enumerate(strokes):
            if not isinstance(stroke, Stroke):
                raise DrawingError(f"strokes[{index}]", f"expected a Stroke, got "
                                                        f"{_short(stroke)}")
        object.__setattr__(self, "strokes", tuple(strokes))

    @property
    def point_count(self) -> int:
        """Points over all strokes (the renderer's work is roughly proportional to it)."""
        return sum(len(stroke.points) for stroke in self.strokes)

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict that ``server.protocol.push.Drawing`` validates."""
        return {"width": self.width, "height": self.height,
                "strokes": [stroke.to_wire() for stroke in self.strokes]}

    @classmethod
    def from_wire(cls, data: Any) -> Drawing:
        """Parse the wire dict. Raises ``DrawingError`` naming the first culprit.

        Stricter than pydantic's lax mode (no ``"800"`` for 800), and refuses an
        over-long stroke list before parsing any of it, so hostile input costs little.
        """
        if not isinstance(data, Mapping):
            raise DrawingError("", f"expected a drawing object, got {_short(data)}")
        _check_keys(data, _DRAWING_KEYS)
        raw = data["strokes"]
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
            raise DrawingError("strokes", f"expected a list of strokes, got {_short(raw)}")
        if len(raw) > MAX_STROKES:
            raise DrawingError("strokes", f"has {len(raw)} strokes; a drawing has at most "
                                          f"{MAX_STROKES}")
        strokes = []
        for index, item in enumerate(raw):
            try:
                strokes.append(Stroke.from_wire(item))
            except DrawingError as error:
                raise error.within(f"strokes[{index}]") from None
        return cls(data["width"], data["height"], tuple(strokes))


def _check_keys(data: Mapping[str, Any], expected: frozenset[str]) -> None:
    keys = set(data)
    if missing := sorted(expected - keys):
        raise DrawingError(missing[0], "is missing")
    if unknown := sorted(map(str, keys - expected)):
        raise DrawingError(unknown[0], "is not a field of the wire format")


__all__ = [
    "COORD_LIMIT", "MAX_CANVAS_SIZE", "MAX_DRAWING_POINTS", "MAX_STROKES", "MAX_STROKE_POINTS",
    "MAX_STROKE_WIDTH", "Drawing", "DrawingError", "Point", "Stroke",
    "check_color", "check_point", "check_width",
]
