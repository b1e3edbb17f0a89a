"""Drawing: a finger drawing (or a photo to draw on) to send with a message, full screen.

Opened from compose (``Router.open_drawing``). The paper fills the screen between
two rails: the ink colours on the left, the pen widths and the eraser on the right;
the top bar has Cancel, undo, redo, clear and Done. Done hands a
``DrawingAttachment`` to compose through the router; Cancel goes back to compose
with nothing attached. The drawing rules are ``sketch.DrawingEditor``'s, the
drawing itself ``kiosk.ui.widgets.sketch_canvas.SketchCanvas``; this screen only picks tools and
says what is going on (the drawing is full, the photo could not be opened).
``clear`` (the session ended) wipes the drawing and the photo.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget
from kivy.utils import get_color_from_hex

from kiosk.domain.models import DrawingAttachment
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.cached import CachedBox  # noqa: F401  (used by drawing.kv)
from kiosk.ui.widgets.common import CLOSING_WARNING_S, TouchTarget
from kiosk.ui.widgets.sketch_canvas import SketchCanvas  # noqa: F401  (used by drawing.kv)

# Inks that read well on white paper and on photos; the eraser paints the paper white.
INKS = ("#111827", "#dc2626", "#2563eb", "#16a34a", "#f59e0b")
# Pen widths as a share of the paper's shorter side: fine, medium, bold (about 3, 8
# and 20 px at 800x480), so a drawing looks the same on every screen size.
PEN_SIZES = (0.008, 0.02, 0.05)
DEFAULT_SIZE = 1


class ToolButton(TouchTarget, ButtonBehavior, Widget):
    """A square tool of the rails and the top bar: an icon, an ink swatch or a pen-size dot."""

    icon = StringProperty("")
    swatch = ColorProperty([0, 0, 0, 0])  # an ink colour to show as a disc (alpha 0: none)
    dot = NumericProperty(0)  # diameter of the pen-size dot, 0: none
    dot_color = ColorProperty([1, 1, 1, 1])
    selected = BooleanProperty(False)


class DrawingScreen(KioskScreen):
    ink = StringProperty(INKS[0])
    size_index = NumericProperty(DEFAULT_SIZE)
    eraser = BooleanProperty(False)
    title_text = StringProperty("")
    title_level = OptionProperty("info", options=("info", "warn"))
    notice_text = StringProperty("")  # over the paper: the drawing is full, photo unreadable
    notice_level = OptionProperty("warn", options=("warn", "error"))

    inks = INKS
    pen_sizes = PEN_SIZES

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        sketch = self.ids.sketch
        # Strong reference: the notice leaves the tree while there is nothing to say (a
        # hidden widget would still cost its draw calls at every frame of a stroke).
        self._notice = self.ids.notice.__self__
        self.on_notice_text()
        for name in ("is_full", "photo_failed", "ready"):
            sketch.fbind(name, self.refresh)
        sketch.fbind("paper_rect", self._apply_tools)
        self.fbind("session_left", self.refresh)
        for name in ("ink", "size_index", "eraser"):
            self.fbind(name, self._apply_tools)
        self._apply_tools()

    # Set up by the router ---------------------------------------------------------------

    def start(self, background: bytes | None = None) -> None:
        """A blank drawing (over ``background``, a JPEG, if given), default tools."""
        self._reset_tools()
        self.ids.sketch.start(background)
        self.refresh()

    def entered(self) -> None:
        self.ids.sketch.relayout()

    # Tools ------------------------------------------------------------------------------

    def pick_ink(self, ink: str) -> None:
        self.ink, self.eraser = ink, False

    def pick_size(self, index: int) -> None:
        self.size_index = index

    def pick_eraser(self) -> None:
        self.eraser = True

    def undo(self) -> None:
        self.ids.sketch.undo()

    def redo(self) -> None:
        self.ids.sketch.redo()

    def clear_drawing(self) -> None:
        self.ids.sketch.clear_drawing()

    def _apply_tools(self, *_: Any) -> None:
        sketch = self.ids.sketch
        sketch.ink, sketch.eraser = self.ink, self.eraser
        sketch.pen_width = self.pen_width(self.size_index)

    def pen_width(self, index: int) -> float:
        """Canvas units of pen size ``index`` on the current paper (rounded to 0.5)."""
        size = self.ids.sketch.canvas_size
        side = min(size) if size is not None else 400
        return max(1.0, min(100.0, round(PEN_SIZES[index] * side * 2) / 2))

    def _reset_tools(self) -> None:
        self.ink, self.size_index, self.eraser = INKS[0], DEFAULT_SIZE, False

    # Leaving ----------------------------------------------------------------------------

    def cancel(self) -> None:
        if self.router is not None:
            self.router.back_to_compose()

    def done(self) -> None:
        sketch = self.ids.sketch
        drawing = sketch.drawing
        if self.router is None or drawing is None or not drawing.strokes:
            return
        self.router.drawing_done(DrawingAttachment(drawing, sketch.background))

    # Drawing ----------------------------------------------------------------------------

    def redraw(self) -> None:
        sketch = self.ids.sketch
        closing = 0 < self.session_left <= CLOSING_WARNING_S
        if closing:
            self.title_text = tr._("Closing in {n} s").format(n=self.session_left)
        else:
            self.title_text = tr._("Draw with a finger")
        self.title_level = "warn" if closing else "info"
        if sketch.is_full:
            self.notice_text = tr._("The drawing is full. Undo or clear to draw more.")
            self.notice_level = "warn"
        elif sketch.photo_failed:
            self.notice_text = tr._("The photo could not be opened: draw on blank paper.")
            self.notice_level = "error"
        else:
            self.notice_text = ""

    def on_notice_text(self, *_: Any) -> None:
        notice, area = self._notice, self.ids.sketch.parent
        if self.notice_text and notice.parent is None:
            area.add_widget(notice)
        elif not self.notice_text and notice.parent is not None:
            area.remove_widget(notice)

    def clear(self) -> None:
        self.ids.sketch.reset()
        self._reset_tools()
        self.notice_text = ""


def ink_rgba(ink: str) -> list[float]:
    """For the .kv rules: ``"#rrggbb"`` -> RGBA."""
    return list(get_color_from_hex(ink))
