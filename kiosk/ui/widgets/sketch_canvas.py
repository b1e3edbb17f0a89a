"""The drawing surface: touches to ``sketch.DrawingEditor``, strokes to pixels.

The rules (one finger draws, decimation, limits, undo/redo, what the eraser does)
are the editor's; this widget only converts and draws:

* A touch down on the paper starts a stroke and grabs the touch; its moves and its
  up reach the editor as canvas points (``sketch.geometry.point_to_canvas``). A
  second finger while a stroke is open is swallowed and does nothing (the editor
  says IGNORED).
* Committed strokes live as pixels in a ``kiosk.ui.widgets.sketch_paint.Sheet`` (one textured
  rectangle per frame). The stroke being drawn is a ``Line`` of at most
  ``CHUNK_POINTS`` points over it; a full chunk is painted into the sheet and a new
  ``Line`` starts at its last point, so a move never rebuilds more than a chunk.
* The eraser is the editor's: strokes in the paper colour (over a photo too).
* A photo to annotate (``start(background=jpeg)``) is decoded off the UI thread
  (``kiosk.ui.widgets.pictures``); the paper then takes the photo's aspect, letterboxed in the
  widget, and drawing waits for it (``ready``). An unreadable photo leaves a blank
  paper and ``photo_failed`` set.

The editor's canvas is the paper's size in pixels when the drawing starts, so
widths and the editor's 1-unit decimation are screen pixels.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import (
    Callback,
    Color,
    Ellipse,
    InstructionGroup,
    Line,
    PopMatrix,
    PushMatrix,
    Rectangle,
    Translate,
)
from kivy.graphics.scissor_instructions import ScissorPop, ScissorPush
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk.ui.widgets.cached import blend_off, blend_on
from kiosk.ui.widgets.sketch_paint import MIN_HALF_WIDTH, Sheet, stroke_color
from sketch.editor import DrawingEditor, Edit, Tool
from sketch.geometry import point_to_canvas
from sketch.model import Drawing

PAPER = "#ffffff"
CHUNK_POINTS = 48  # points per Line of the open stroke: the most a move rebuilds


class SketchCanvas(Widget):
    """A finger drawing on white paper (or a photo). See the module's doc."""

    ink = StringProperty("#111827")  # "#rrggbb" of the next stroke
    pen_width = NumericProperty(8.0)  # of the next stroke, in canvas units
    eraser = BooleanProperty(False)
    ready = BooleanProperty(False)  # paper laid out (photo decoded): touches draw
    photo_failed = BooleanProperty(False)
    has_photo = BooleanProperty(False)  # the paper is a photo (letterboxed: bars beside it)
    can_undo = BooleanProperty(False)
    can_redo = BooleanProperty(False)
    is_empty = BooleanProperty(True)
    is_full = BooleanProperty(False)
    paper_rect = ListProperty([0, 0, 0, 0])  # x, y, width, height of the paper (parent coords)

    def __init__(self, **kwargs: Any) -> None:
        self._editor: DrawingEditor | None = None
        self._sheet: Sheet | None = None
        self._photo: Any = None  # the decoded photo's Texture
        self._background: bytes | None = None
        self._loading = False
        self._generation = 0  # a photo decoded for an earlier start() is dropped
        self._live_points: list[float] = []  # the open chunk, in sheet pixels (flat)
        self._live_rgba = (0.0, 0.0, 0.0, 1.0)
        self._live_half = 1.0
        self._live_line: Line | None = None
        super().__init__(**kwargs)
        with self.canvas:
            self._sheet_color = Color(1, 1, 1, 0)
            # The sheet is opaque: without blending, the software renderer does not read
            # the pixels behind it (about a millisecond per frame at 800x480).
            Callback(blend_off)
            self._sheet_rect = Rectangle()
            Callback(blend_on)
            # The open stroke is clipped to the paper, as the sheet's pixels are.
            self._scissor = ScissorPush(x=0, y=0, width=1, height=1)
            PushMatrix()
            self._offset = Translate()
            self._live = InstructionGroup()
            PopMatrix()
            ScissorPop()
        self._layout_trigger = Clock.create_trigger(self._layout, -1)
        self.fbind("pos", self._layout_trigger)
        self.fbind("size", self._layout_trigger)

    # -- life cycle ---------------------------------------------------------------------

    def start(self, background: bytes | None = None) -> None:
        """A new, empty drawing; over ``background`` (JPEG or PNG bytes) if given."""
        from kiosk.ui.widgets.pictures import (
            load_texture,  # Pillow and its thread: only when drawing
        )

        self.reset()
        self._background = background
        if background is not None:
            self._loading = True
            generation = self._generation
            load_texture(background, tuple(Window.size),
                         lambda texture: self._photo_loaded(generation, texture))
        self._layout_trigger()

    def reset(self) -> None:
        """Forget the drawing and the photo (session end): a blank, inert widget."""
        self._generation += 1
        self._editor = None
        if self._sheet is not None:
            self._sheet.release()
        self._sheet = None
        self._photo = self._background = None
        self._loading = False
        self._drop_live()
        self._sheet_rect.texture = None
        self._sheet_color.a = 0
        self.ready = self.photo_failed = self.has_photo = False
        self._update_state()

    @property
    def drawing(self) -> Drawing | None:
        """The drawing as it stands (a stroke being drawn included); None before ``ready``."""
        return self._editor.drawing if self._editor is not None else None

    @property
    def canvas_size(self) -> tuple[int, int] | None:
        """The editor's canvas (units = paper pixels when it started); None before ``ready``."""
        editor = self._editor
        return (editor.width, editor.height) if editor is not None else None

    def relayout(self) -> None:
        """Lay the paper out before the next frame (the screen is about to be shown)."""
        self._layout_trigger()

    @property
    def background(self) -> bytes | None:
        """The photo drawn on, as given to ``start`` (None if none or unreadable)."""
        return self._background

    # -- history ------------------------------------------------------------------------

    def undo(self) -> bool:
        return self._history("undo")

    def redo(self) -> bool:
        return self._history("redo")

    def clear_drawing(self) -> bool:
        """Remove every stroke (one undoable step)."""
        return self._history("clear")

    def _history(self, action: str) -> bool:
        editor = self._editor
        if editor is None or self._sheet is None:
            return False
        self._end_open_stroke()
        changed = bool(getattr(editor, action)())
        self._sheet.show(editor.strokes)
        self._update_state()
        return changed

    # -- touches ------------------------------------------------------------------------

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        editor, sheet = self._editor, self._sheet
        if editor is None or sheet is None or not self.ready or touch.is_mouse_scrolling:
            return True
        if editor.active_touch is not None or not self._on_paper(touch):
            return True  # a second finger, or the bars around a photo: nothing
        edit = editor.begin_stroke(touch.uid, self._canvas_point(touch), self.ink,
                                   self.pen_width)
        if edit is Edit.STARTED:
            touch.grab(self)
            sheet.begin_gesture()
            self._live_rgba = stroke_color(editor.strokes[-1].color)
            self._live_half = max(self.pen_width * sheet.factor / 2, MIN_HALF_WIDTH)
            self._live_points = list(self._sheet_point(touch))
            self._new_live_line(dot=True)
        self._update_state()
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_move(touch)
        editor = self._editor
        if editor is None or editor.active_touch != touch.uid:
            return True
        edit = editor.add_point(touch.uid, self._canvas_point(touch))
        if edit in (Edit.DRAWN, Edit.SPLIT):
            self._extend_live(*self._sheet_point(touch))
        elif edit is Edit.FULL:  # the editor kept what was drawn and closed the stroke
            self._finish_gesture()
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        editor = self._editor
        if editor is not None and editor.end_stroke(touch.uid) is Edit.ENDED:
            self._finish_gesture()
        return True

    def on_eraser(self, *_: Any) -> None:
        if self._editor is not None:
            self._editor.tool = Tool.ERASER if self.eraser else Tool.PEN

    # -- the open stroke ------------------------------------------------------------------

    def _on_paper(self, touch: Any) -> bool:
        x, y, width, height = self.paper_rect
        return x <= touch.x <= x + width and y <= touch.y <= y + height

    def _canvas_point(self, touch: Any) -> tuple[float, float]:
        x, y, width, height = self.paper_rect
        editor = self._editor
        assert editor is not None
        return point_to_canvas(((touch.x - x) / width, (touch.y - y) / height),
                               editor.width, editor.height)

    def _sheet_point(self, touch: Any) -> tuple[float, float]:
        x, y, _width, _height = self.paper_rect
        return touch.x - x, touch.y - y

    def _new_live_line(self, dot: bool = False) -> None:
        self._live.clear()
        self._live.add(Color(*self._live_rgba))
        if dot:  # a tap shows at once; the Line draws nothing until its second point
            x, y = self._live_points[:2]
            radius = self._live_half
            self._live.add(Ellipse(pos=(x - radius, y - radius), size=(2 * radius, 2 * radius)))
        self._live_line = Line(points=self._live_points, width=self._live_half,
                               joint="round", cap="round")
        self._live.add(self._live_line)

    def _extend_live(self, x: float, y: float) -> None:
        points = self._live_points
        points += (x, y)
        if len(points) < 2 * CHUNK_POINTS:
            assert self._live_line is not None
            self._live_line.points = points
            return
        # A full chunk becomes pixels; the next Line starts where it ends (round caps
        # meet as a round join would).
        assert self._sheet is not None
        self._sheet.paint_points(points, self._live_rgba, self._live_half)
        self._live_points = points[-2:]
        self._new_live_line()

    def _finish_gesture(self) -> None:
        """The editor closed the stroke: paint what is left of it and forget it."""
        editor, sheet = self._editor, self._sheet
        if sheet is not None and self._live_points:
            sheet.paint_points(self._live_points, self._live_rgba, self._live_half)
        self._drop_live()
        if editor is not None and sheet is not None:
            sheet.end_gesture(editor.strokes)
        self._update_state()

    def _end_open_stroke(self) -> None:
        """Undo/redo/clear with a finger still down: the stroke ends as its touch up would."""
        editor = self._editor
        if editor is not None and editor.active_touch is not None:
            editor.end_stroke(editor.active_touch)
            self._finish_gesture()

    def _drop_live(self) -> None:
        self._live.clear()
        self._live_line = None
        self._live_points = []

    # -- layout and state -------------------------------------------------------------------

    def _photo_loaded(self, generation: int, texture: Any) -> None:
        if generation != self._generation:
            return  # the drawing it was for is gone
        self._loading = False
        if texture is None:
            self._background = None  # nothing to send under the strokes
            self.photo_failed = True
        self._photo = texture
        self.has_photo = texture is not None
        self._layout()

    def _layout(self, *_: Any) -> None:
        if self._loading or self.get_root_window() is None or min(self.size) < 2:
            return  # a screen not shown yet has no size of its own: wait for it
        editor = self._editor
        if self._photo is not None:
            aspect = self._photo.width / self._photo.height
        elif editor is not None and not editor.is_empty:
            aspect = editor.width / editor.height  # keep the drawing's shape
        else:
            aspect = self.width / self.height
        scale = min(self.width / aspect, self.height)
        width, height = max(1, min(4096, int(scale * aspect))), max(1, min(4096, int(scale)))
        x = round(self.x + (self.width - width) / 2)
        y = round(self.y + (self.height - height) / 2)
        if editor is None or (editor.is_empty and (editor.width, editor.height) != (width, height)):
            editor = self._editor = DrawingEditor(width, height, background=PAPER)
            editor.tool = Tool.ERASER if self.eraser else Tool.PEN
        sheet = self._sheet
        if sheet is None or sheet.size != (width, height):
            self._end_open_stroke()
            if sheet is not None:
                sheet.release()
            sheet = self._sheet = Sheet((width, height), (editor.width, editor.height), PAPER,
                                        self._photo)
            sheet.show(editor.strokes)
        self._sheet_rect.texture = sheet.texture
        self._sheet_rect.pos, self._sheet_rect.size = (x, y), (width, height)
        self._sheet_color.a = 1
        self._offset.xy = (x, y)
        window_x, window_y = self.to_window(x, y)
        self._scissor.x, self._scissor.y = int(window_x), int(window_y)
        self._scissor.width, self._scissor.height = width, height
        self.paper_rect = [x, y, width, height]
        self.ready = True
        self._update_state()

    def _update_state(self) -> None:
        editor = self._editor
        self.can_undo = editor is not None and editor.can_undo
        self.can_redo = editor is not None and editor.can_redo
        self.is_empty = editor is None or editor.is_empty
        self.is_full = editor is not None and editor.is_full
