"""Finger drawings: the vector model, its editing rules and its PNG renderer.

Shared by the terminal and the central server so that a drawing renders alike on
both. Pure Python plus Pillow: no Kivy (the terminal's widget feeds touches to
``DrawingEditor``) and no pydantic (the terminal does not install the server's
dependencies; ``tests/sketch`` checks the two stay in step).

Coordinates: the model and the wire use canvas units, y DOWN, origin top-left (like
images); ``sketch.geometry`` converts from and to the normalised, y-up points of a
Kivy widget.
"""

from sketch.editor import DrawingEditor, Edit, Tool
from sketch.geometry import (
    point_to_canvas,
    point_to_normalised,
    points_to_canvas,
    points_to_normalised,
)
from sketch.model import (
    COORD_LIMIT,
    MAX_CANVAS_SIZE,
    MAX_DRAWING_POINTS,
    MAX_STROKE_POINTS,
    MAX_STROKE_WIDTH,
    MAX_STROKES,
    Drawing,
    DrawingError,
    Point,
    Stroke,
)
from sketch.render import RenderPlan, fit_inside, plan_render, render_image, render_png

__all__ = [
    "COORD_LIMIT", "MAX_CANVAS_SIZE", "MAX_DRAWING_POINTS", "MAX_STROKES", "MAX_STROKE_POINTS",
    "MAX_STROKE_WIDTH", "Drawing", "DrawingEditor", "DrawingError", "Edit", "Point",
    "RenderPlan", "Stroke", "Tool", "fit_inside", "plan_render", "point_to_canvas",
    "point_to_normalised", "points_to_canvas", "points_to_normalised", "render_image",
    "render_png",
]
