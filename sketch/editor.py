"""The editing rules of the drawing screen, without Kivy: touches in, strokes out.

The terminal's widget forwards each touch (down/move/up) with the point already in
canvas units, y down (``sketch.geometry.point_to_canvas``), and redraws from
``strokes``. Rules:

* One finger draws. The first touch down owns the stroke; any other touch is ignored
  (``Edit.IGNORED``) until that one is up, so a palm or a second finger cannot spoil
  the stroke in progress.
* Decimation: a point closer than ``MIN_POINT_DISTANCE`` (1 canvas unit) to the
  previous kept point is dropped (``Edit.SKIPPED``); points are rounded to 0.01 unit,
  which keeps the JSON short and changes nothing visible.
* A stroke reaching ``MAX_STROKE_POINTS`` carries on in a new stroke that starts at its
  last point (``Edit.SPLIT``), so the line stays continuous.
* At ``MAX_STROKES`` strokes, or ``MAX_DRAWING_POINTS`` points in all (what still fits
  the message's size cap, so a finished drawing can always be sent), the drawing is
  full: the stroke in progress is kept up to there and nothing more is drawn
  (``Edit.FULL``) until an undo or a clear. A new stroke needs room for two points (a
  line, not a dot). Never an exception for that: it is the worker's situation, not a bug.
* Undo/redo step over whole gestures (a split stroke is one step); clear is a step
  too. Undo, redo and clear first end the stroke in progress, as its touch up would.
* The eraser is a tool: its strokes paint the editor's ``background`` colour. That is
  the simplest robust eraser (no geometry to cut, one wire format), with one caveat:
  over a base photo it paints the background colour, it does not reveal the photo.

Errors: a malformed colour, width or point (NaN, beyond +-100000) is a caller bug and
raises ``DrawingError``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from enum import StrEnum

from sketch.model import (
    MAX_DRAWING_POINTS,
    MAX_STROKE_POINTS,
    MAX_STROKES,
    Drawing,
    Point,
    Stroke,
    check_color,
    check_point,
    check_width,
)

MIN_POINT_DISTANCE = 1.0
POINT_DECIMALS = 2
MAX_HISTORY = 100


class Tool(StrEnum):
    PEN = "pen"
    ERASER = "eraser"


class Edit(StrEnum):
    """What a touch event did, so the widget knows what to redraw or to say."""

    STARTED = "started"  # begin_stroke: a new stroke, one point so far
    DRAWN = "drawn"  # add_point: the point was appended
    SKIPPED = "skipped"  # add_point: too close to the previous point, dropped
    SPLIT = "split"  # add_point: the stroke was full; it goes on in a new stroke
    ENDED = "ended"  # end_stroke: the stroke is committed (one undo step)
    IGNORED = "ignored"  # not the drawing touch (a second finger), or no stroke open
    FULL = "full"  # MAX_STROKES strokes or MAX_DRAWING_POINTS points: nothing more is drawn


class DrawingEditor:
    """Strokes being drawn on a ``width`` x ``height`` canvas, with undo/redo.

    Not thread-safe: call it from the UI thread, like any Kivy handler.
    """

    def __init__(self, width: int, height: int, *, background: str = "#ffffff",
                 strokes: Iterable[Stroke] = (), max_history: int = MAX_HISTORY) -> None:
        drawing = Drawing(width, height, tuple(strokes))  # validates canvas and limits
        self.width, self.height = drawing.width, drawing.height
        self.background = check_color(background)
        self.tool = Tool.PEN
        self._max_history = max_history
        self._committed: tuple[Stroke, ...] = drawing.strokes
        self._committed_points = drawing.point_count
        # Snapshots of _committed. Strokes are immutable and shared between snapshots,
        # so a step costs a tuple of at most MAX_STROKES references.
        self._undo: list[tuple[Stroke, ...]] = []
        self._redo: list[tuple[Stroke, ...]] = []
        # The gesture in progress: finished split parts, then the open part's points.
        self._touch: Hashable | None = None
        self._color = ""
        self._width = 0.0
        self._parts: list[Stroke] = []
        self._parts_points = 0  # points in _parts, kept so a move needs no sum
        self._points: list[Point] = []

    # -- touches ------------------------------------------------------------------------

    def begin_stroke(self, touch_id: Hashable, point: Point, color: str,
                     width: float) -> Edit:
        """Touch down. STARTED, IGNORED (another touch is drawing) or FULL.

        ``color`` is ignored with the eraser tool (the stroke takes ``background``).
        """
        color = check_color(color)
        width = check_width(width)
        start = _round(check_point(point))
        if self._touch is not None:
            return Edit.IGNORED
        if self.is_full:
            return Edit.FULL
        self._touch = touch_id
        self._color = self.background if self.tool is Tool.ERASER else color
        self._width = width
        self._parts = []
        self._parts_points = 0
        self._points = [start]
        return Edit.STARTED

    def add_point(self, touch_id: Hashable, point: Point) -> Edit:
        """Touch move. DRAWN, SKIPPED, SPLIT, FULL, or IGNORED (not the drawing touch)."""
        if self._touch is None or touch_id != self._touch:
            return Edit.IGNORED
        x, y = _round(check_point(point))
        last_x, last_y = self._points[-1]
        if (x - last_x) ** 2 + (y - last_y) ** 2 < MIN_POINT_DISTANCE ** 2:
            return Edit.SKIPPED
        drawn = self._committed_points + self._parts_points + len(self._points)
        if len(self._points) < MAX_STROKE_POINTS:
            if drawn >= MAX_DRAWING_POINTS:
                self._finish()  # keep what was drawn; this finger draws no more
                return Edit.FULL
            self._points.append((x, y))
            return Edit.DRAWN
        # A split costs two points: the seam point repeated, then the new one.
        if (len(self._committed) + len(self._parts) + 1 >= MAX_STROKES
                or drawn + 2 > MAX_DRAWING_POINTS):
            self._finish()
            return Edit.FULL
        self._parts.append(self._open_part())
        self._parts_points += len(self._points)
        self._points = [(last_x, last_y), (x, y)]
        return Edit.SPLIT

    def end_stroke(self, touch_id: Hashable) -> Edit:
        """Touch up. ENDED (the gesture is one undo step) or IGNORED."""
        if self._touch is None or touch_id != self._touch:
            return Edit.IGNORED
        self._finish()
        return Edit.ENDED

    # -- history ------------------------------------------------------------------------

    def undo(self) -> bool:
        """Undo the last gesture or clear. False when there is nothing to undo."""
        self._finish()
        if not self._undo:
            return False
        self._redo.append(self._committed)
        self._set_committed(self._undo.pop())
        return True

    def redo(self) -> bool:
        """Redo what undo undid, until a new gesture or clear. False if nothing to redo."""
        self._finish()
        if not self._redo:
            return False
        self._undo.append(self._committed)
        self._set_committed(self._redo.pop())
        return True

    def clear(self) -> bool:
        """Remove every stroke, as one undoable step. False when already empty."""
        self._finish()
        if not self._committed:
            return False
        self._commit(())
        return True

    # -- state --------------------------------------------------------------------------

    @property
    def strokes(self) -> tuple[Stroke, ...]:
        """Every stroke to paint, in order, including the one being drawn."""
        if self._touch is None:
            return self._committed
        return (*self._committed, *self._parts, self._open_part())

    @property
    def drawing(self) -> Drawing:
        """The drawing as it stands (with the stroke in progress), ready for ``to_wire``."""
        return Drawing(self.width, self.height, self.strokes)

    @property
    def active_touch(self) -> Hashable | None:
        """The touch that is drawing, or None."""
        return self._touch

    @property
    def is_empty(self) -> bool:
        return not self._committed and self._touch is None

    @property
    def is_full(self) -> bool:
        """True when a new stroke would be refused (the widget can grey the canvas)."""
        return (len(self._committed) >= MAX_STROKES
                or self._committed_points > MAX_DRAWING_POINTS - 2)

    @property
    def point_count(self) -> int:
        """Points in all strokes, the one being drawn included (at most MAX_DRAWING_POINTS
        for what this editor drew)."""
        return self._committed_points + self._parts_points + len(self._points)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) or self._touch is not None

    @property
    def can_redo(self) -> bool:
        return bool(self._redo) and self._touch is None

    # -- internals ----------------------------------------------------------------------

    def _open_part(self) -> Stroke:
        return Stroke._trusted(self._color, self._width, tuple(self._points))

    def _finish(self) -> None:
        """End the gesture in progress, if any, and commit it as one step."""
        if self._touch is None:
            return
        gesture = (*self._parts, self._open_part())
        self._touch = None
        self._parts = []
        self._parts_points = 0
        self._points = []
        self._commit(self._committed + gesture)

    def _commit(self, strokes: tuple[Stroke, ...]) -> None:
        self._undo.append(self._committed)
        del self._undo[:-self._max_history]  # forget the oldest steps past the cap
        self._redo.clear()
        self._set_committed(strokes)

    def _set_committed(self, strokes: tuple[Stroke, ...]) -> None:
        self._committed = strokes
        self._committed_points = sum(len(stroke.points) for stroke in strokes)


def _round(point: Point) -> Point:
    return round(point[0], POINT_DECIMALS), round(point[1], POINT_DECIMALS)
