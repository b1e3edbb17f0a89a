"""A few line icons drawn with Kivy's canvas, so they stay sharp at every screen size.

Shapes are written on a 24 x 24 grid, y pointing down (like SVG); arcs use
Kivy's angles (0 at the top, clockwise, as seen on screen).  The bundled
Roboto font has no symbols (no check mark, arrow or envelope), hence these.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line
from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

Shape = tuple[Any, ...]

ICONS: dict[str, tuple[Shape, ...]] = {
    "badge": (
        ("rrect", 3, 2.5, 12, 19, 2.2),
        ("path", (7, 6, 11, 6)),
        ("dot", 9, 11, 2.2),
        ("path", (6.5, 16.5, 11.5, 16.5)),
        ("arc", 16, 12, 3.2, 40, 140),
        ("arc", 16, 12, 6.2, 40, 140),
    ),
    "mail": (("rrect", 2.5, 5, 19, 14, 2.2), ("path", (3.5, 6.5, 12, 13, 20.5, 6.5))),
    "swap": (
        ("path", (4, 8, 20, 8)), ("path", (16, 4, 20, 8, 16, 12)),
        ("path", (20, 16, 4, 16)), ("path", (8, 12, 4, 16, 8, 20)),
    ),
    "undo": (
        ("path", (9, 14, 4, 9, 9, 4)), ("path", (4, 9, 14.5, 9)),
        ("arc", 14.5, 14.5, 5.5, 0, 180), ("path", (14.5, 20, 8, 20)),
    ),
    "redo": (  # "undo" mirrored
        ("path", (15, 14, 20, 9, 15, 4)), ("path", (20, 9, 9.5, 9)),
        ("arc", 9.5, 14.5, 5.5, 180, 360), ("path", (9.5, 20, 16, 20)),
    ),
    "eraser": (("path", (9, 20, 3.5, 14.5, 13.5, 4.5, 20.5, 11.5, 12, 20, 9, 20)),
               ("path", (8.5, 9.5, 15.5, 16.5)), ("path", (12, 20, 20.5, 20))),
    "trash": (("path", (3.5, 6.5, 20.5, 6.5)), ("path", (9, 6.5, 9, 3.5, 15, 3.5, 15, 6.5)),
              ("path", (5.5, 6.5, 7, 20.5, 17, 20.5, 18.5, 6.5)),
              ("path", (10, 10.5, 10, 16.5)), ("path", (14, 10.5, 14, 16.5))),
    "shift": (("path", (12, 3.5, 20.5, 12, 16, 12, 16, 20, 8, 20, 8, 12, 3.5, 12, 12, 3.5)),),
    "backspace": (("path", (8, 5, 21, 5, 21, 19, 8, 19, 2.5, 12, 8, 5)),
                  ("path", (11.5, 9, 17, 15)), ("path", (17, 9, 11.5, 15))),
    "enter": (("path", (20, 5, 20, 14, 5, 14)), ("path", (9, 10, 5, 14, 9, 18))),
    "send": (("path", (3, 11, 21, 3, 14, 21, 11, 13, 3, 11)), ("path", (11, 13, 21, 3))),
    "pen": (("path", (4, 20, 5, 15, 16, 4, 20, 8, 9, 19, 4, 20)),
            ("path", (13.5, 6.5, 17.5, 10.5))),
    "people": (("circle", 9, 8, 3.5), ("arc", 9, 20, 6.5, -90, 90),
               ("circle", 17, 9, 2.8), ("arc", 17, 19.5, 5, 0, 90)),
    "keyboard": (("rrect", 2.5, 5.5, 19, 13, 2), ("path", (7, 15, 17, 15)),
                 ("dot", 6.5, 9.5, 1), ("dot", 10, 9.5, 1), ("dot", 13.5, 9.5, 1),
                 ("dot", 17, 9.5, 1)),
    "check": (("path", (4.5, 12.5, 9.5, 17.5, 19.5, 6.5)),),
    "back": (("path", (15, 4.5, 7.5, 12, 15, 19.5)),),
    "next": (("path", (9, 4.5, 16.5, 12, 9, 19.5)),),
    "login": (
        ("path", (14, 3.5, 19, 3.5, 20.5, 5, 20.5, 19, 19, 20.5, 14, 20.5)),
        ("path", (3, 12, 15, 12)), ("path", (10.5, 7.5, 15, 12, 10.5, 16.5)),
    ),
    "logout": (
        ("path", (10, 3.5, 5, 3.5, 3.5, 5, 3.5, 19, 5, 20.5, 10, 20.5)),
        ("path", (9, 12, 21, 12)), ("path", (16.5, 7.5, 21, 12, 16.5, 16.5)),
    ),
    "alert": (("circle", 12, 12, 9.5), ("path", (12, 6.8, 12, 13.2)), ("dot", 12, 16.8, 1.4)),
    # The admin screen's tabs: touch test, network, system information.
    "touch": (("dot", 12, 12, 2.6), ("circle", 12, 12, 6.2), ("arc", 12, 12, 9.8, 30, 330)),
    "network": (("arc", 12, 19.5, 14, -42, 42), ("arc", 12, 19.5, 9.5, -42, 42),
                ("arc", 12, 19.5, 5, -42, 42), ("dot", 12, 19.5, 1.6)),
    "info": (("circle", 12, 12, 9.5), ("dot", 12, 7.4, 1.4), ("path", (12, 10.8, 12, 17))),
    "question": (
        ("circle", 12, 12, 9.5),
        ("arc", 12, 9.6, 3.1, -90, 150), ("path", (13.55, 12.3, 12, 13.4, 12, 14.2)),
        ("dot", 12, 17.3, 1.4),
    ),
    "lock": (("rrect", 4.5, 10.5, 15, 10.5, 2.2), ("arc", 12, 10.5, 4.2, -90, 90),
             ("path", (7.8, 10.5, 7.8, 10)), ("path", (16.2, 10.5, 16.2, 10)),
             ("dot", 12, 15.7, 1.5)),
    "camera": (
        ("path", (3, 8, 3, 19, 21, 19, 21, 8, 16.5, 8, 15, 5, 9, 5, 7.5, 8, 3, 8)),
        ("circle", 12, 13, 3.8),
    ),
    "close": (("path", (6, 6, 18, 18)), ("path", (18, 6, 6, 18))),
    "storage": (
        ("rrect", 4, 3.5, 16, 17, 2.5), ("path", (4, 9.3, 20, 9.3)),
        ("path", (4, 15, 20, 15)), ("dot", 16.5, 6.4, 1), ("dot", 16.5, 12.1, 1),
    ),
}


class Icon(Widget):
    """A named icon from ``ICONS``, square, centred in the widget."""

    name = StringProperty("")
    color = ColorProperty([1, 1, 1, 1])
    stroke = NumericProperty(1.0)  # line half-width in grid units (1.0 looks like 2 px at 24)

    def __init__(self, **kwargs: Any) -> None:
        self._redraw = Clock.create_trigger(self._draw, -1)
        super().__init__(**kwargs)
        self.fbind("pos", self._redraw)
        self.fbind("size", self._redraw)
        self.fbind("name", self._redraw)
        self.fbind("color", self._redraw)
        self.fbind("stroke", self._redraw)
        self._redraw()

    def _draw(self, *_: Any) -> None:
        self.canvas.clear()
        shapes = ICONS.get(self.name)
        side = min(self.width, self.height)
        if not shapes or side <= 0:
            return
        k = side / 24.0
        left = self.center_x - side / 2
        top = self.center_y + side / 2

        def xy(x: float, y: float) -> tuple[float, float]:
            return left + x * k, top - y * k

        width = max(1.0, self.stroke * k)
        with self.canvas:
            Color(*self.color)
            for shape in shapes:
                kind, args = shape[0], shape[1:]
                if kind == "path":
                    points = [c for i in range(0, len(args[0]), 2) for c in xy(*args[0][i:i + 2])]
                    Line(points=points, width=width, cap="round", joint="round")
                elif kind == "circle":
                    cx, cy = xy(args[0], args[1])
                    Line(circle=(cx, cy, args[2] * k), width=width)
                elif kind == "arc":
                    cx, cy = xy(args[0], args[1])
                    Line(circle=(cx, cy, args[2] * k, args[3], args[4]), width=width, cap="round")
                elif kind == "rrect":
                    x, y, w, h, r = args
                    bx, by = xy(x, y + h)
                    Line(rounded_rectangle=(bx, by, w * k, h * k, r * k), width=width)
                elif kind == "dot":
                    cx, cy = xy(args[0], args[1])
                    r = args[2] * k
                    Ellipse(pos=(cx - r, cy - r), size=(2 * r, 2 * r))
