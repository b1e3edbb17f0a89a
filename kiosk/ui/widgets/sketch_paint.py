"""The committed strokes of the drawing screen as pixels: an offscreen buffer painted once.

Why not one Kivy ``Line`` per stroke in the widget's canvas: Kivy redraws every
instruction at every frame, and Mesa's software renderer pays for every point each
time (measured at 1280x800: 5,000 points as Lines, 24 fps; the same points in a
texture, 80 fps). So the strokes are rasterised ONCE into an ``Fbo`` (a texture the
size of the paper), and each frame draws that texture as one rectangle, whatever the
number of points.

* Painting is incremental: the Fbo's instructions are drawn once (``Fbo.draw``) and
  dropped; the pixels stay in the texture and the next frames never touch them again.
* Undo and redo would need a repaint of everything (a 100,000-point drawing costs
  about a second of software rasterisation), so the sheet keeps copies of its last
  few states (``SNAPSHOTS`` textures) keyed by the editor's stroke tuple: undoing
  or redoing a recent step is one texture copy. Older states are repainted.

Coordinates: the Fbo's own pixels, y up, origin at the paper's bottom-left. The
editor's canvas units (y down) are scaled by ``factor`` (paper pixels per unit, 1.0
when the paper kept the size the editor was made for). Kivy-only; no sketch rules here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from kivy.graphics import (
    ClearBuffers,
    ClearColor,
    Color,
    Ellipse,
    Fbo,
    Line,
    Rectangle,
)
from kivy.graphics.texture import Texture
from kivy.utils import get_color_from_hex

from sketch.model import Stroke

SNAPSHOTS = 6  # states kept for undo/redo: 2.8 MB of texture each at 1280x800
MIN_HALF_WIDTH = 1.01  # Kivy draws a Line of width <= 1 as a 1 px GL line: no round caps

RGBA = tuple[float, float, float, float]


def stroke_color(color: str) -> RGBA:
    """``"#rrggbb"`` -> Kivy's 0..1 RGBA (opaque)."""
    r, g, b = get_color_from_hex(color)[:3]
    return r, g, b, 1.0


def add_polyline(points: list[float], rgba: RGBA, half_width: float) -> None:
    """Kivy instructions for one opaque round-capped polyline (into the active canvas).

    ``points`` is flat (x0, y0, x1, y1...); one point is a dot. Round joins and caps,
    like ``sketch.render``, so the screen and the sent PNG look alike.
    """
    Color(*rgba)
    if len(points) <= 2:  # Kivy draws nothing for a one-point Line
        radius = max(half_width, 0.5)
        Ellipse(pos=(points[0] - radius, points[1] - radius), size=(2 * radius, 2 * radius))
        return
    Line(points=points, width=max(half_width, MIN_HALF_WIDTH), joint="round", cap="round")


class Sheet:
    """The paper with its committed strokes, as a texture ``size`` pixels big.

    ``canvas_size`` is the editor's (canvas units); ``paper`` the colour under
    everything, ``photo`` a texture stretched over the whole sheet (the caller made
    the sheet the photo's aspect). Call from Kivy's thread only (GL).
    """

    def __init__(self, size: tuple[int, int], canvas_size: tuple[int, int], paper: str,
                 photo: Texture | None = None) -> None:
        self.size = size
        self.factor = size[0] / canvas_size[0]
        self._canvas_height = canvas_size[1]
        self._paper = stroke_color(paper)
        self._photo = photo
        self._fbo = Fbo(size=size, clear_color=self._paper)
        # Shown pixel for pixel (the widget draws it at ``size``): no filtering to do.
        self._fbo.texture.mag_filter = self._fbo.texture.min_filter = "nearest"
        self._shown: tuple[Stroke, ...] | None = None  # what the pixels show
        self._snapshots: OrderedDict[int, tuple[tuple[Stroke, ...], Fbo]] = OrderedDict()
        self._spare: list[Fbo] = []  # evicted snapshot buffers, reused (no GL allocation)

    @property
    def texture(self) -> Texture:
        return self._fbo.texture

    # -- what to show -------------------------------------------------------------------

    def show(self, strokes: tuple[Stroke, ...]) -> None:
        """Make the pixels show ``strokes`` (the editor's tuple), as cheaply as possible."""
        shown = self._shown
        if strokes is shown:
            return
        if shown is not None:
            self._remember(shown)
        cached = self._snapshots.get(id(strokes))
        if cached is not None and cached[0] is strokes:
            self._snapshots.move_to_end(id(strokes))
            self._draw(lambda: self._copy(cached[1].texture))
        elif shown is not None and _extends(strokes, shown):
            tail = strokes[len(shown):]
            self._draw(lambda: self._add_strokes(tail))
        else:
            self._draw(lambda: self._repaint(strokes))
        self._shown = strokes

    def begin_gesture(self) -> None:
        """A finger is down: keep the state before it, for an undo right after."""
        if self._shown is not None:
            self._remember(self._shown)

    def paint_points(self, points: list[float], rgba: RGBA, half_width: float) -> None:
        """A piece of the stroke being drawn, in sheet pixels, on top of the pixels."""
        self._draw(lambda: add_polyline(points, rgba, half_width))

    def end_gesture(self, strokes: tuple[Stroke, ...]) -> None:
        """The gesture's pieces were all painted: the pixels now show ``strokes``."""
        self._shown = strokes

    def release(self) -> None:
        """Forget the snapshots (session end): their textures are freed with them."""
        self._snapshots.clear()
        self._spare.clear()
        self._shown = None

    # -- painting -----------------------------------------------------------------------

    def _draw(self, instructions: object) -> None:
        """Run ``instructions()`` into the Fbo, rasterise them now, then drop them.

        The texture keeps the pixels; with no instructions left, the frames that follow
        cost one rectangle, however many points were drawn.
        """
        fbo = self._fbo
        fbo.clear()
        with fbo:
            instructions()  # type: ignore[operator]
        fbo.draw()
        fbo.clear()

    def _repaint(self, strokes: Iterable[Stroke]) -> None:
        ClearColor(*self._paper)
        ClearBuffers()
        if self._photo is not None:
            Color(1, 1, 1, 1)
            Rectangle(texture=self._photo, pos=(0, 0), size=self.size)
        self._add_strokes(strokes)

    def _add_strokes(self, strokes: Iterable[Stroke]) -> None:
        k, top = self.factor, self._canvas_height
        for stroke in strokes:
            flat = [c for x, y in stroke.points for c in (x * k, (top - y) * k)]
            add_polyline(flat, stroke_color(stroke.color), stroke.width * k / 2)

    def _copy(self, texture: Texture) -> None:
        """Replace every pixel by ``texture``'s (opaque, so blending keeps them as they are)."""
        ClearColor(*self._paper)
        ClearBuffers()
        Color(1, 1, 1, 1)
        Rectangle(texture=texture, pos=(0, 0), size=self.size)

    def _remember(self, strokes: tuple[Stroke, ...]) -> None:
        key = id(strokes)
        entry = self._snapshots.get(key)
        if entry is not None and entry[0] is strokes:
            self._snapshots.move_to_end(key)
            return
        while len(self._snapshots) >= SNAPSHOTS:
            self._spare.append(self._snapshots.popitem(last=False)[1][1])
        copy = self._spare.pop() if self._spare else Fbo(size=self.size)
        copy.clear()
        with copy:
            Color(1, 1, 1, 1)
            Rectangle(texture=self._fbo.texture, pos=(0, 0), size=self.size)
        copy.draw()
        copy.clear()
        # The tuple is kept with its copy: its id cannot be reused while it is cached.
        self._snapshots[key] = (strokes, copy)


def _extends(longer: tuple[Stroke, ...], prefix: tuple[Stroke, ...]) -> bool:
    """True when ``longer`` is ``prefix`` plus strokes (the same objects, in order)."""
    if len(longer) < len(prefix):
        return False
    return all(a is b for a, b in zip(longer, prefix, strict=False))
