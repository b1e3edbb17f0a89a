"""The admin screen's touch test: a pad that draws each touch with its id and counts them.

The most reported field problem of Kivy kiosks is the "double touch": one tap
that arrives as two touch-downs a few milliseconds apart at the same place
(a touchscreen seen both as a mouse and as a multitouch device, or a noisy
controller), so a button fires twice.  The pad flags any two downs less than
``DOUBLE_TOUCH_S`` apart and closer than a finger's width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Ellipse, Line, Rectangle
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk.ui.theme import theme

DOUBLE_TOUCH_S = 0.06
KEEP_MARKS = 12  # touch-downs drawn on the pad (older ones fade out)


@dataclass(frozen=True)
class TouchMark:
    x: float  # in the pad's coordinates
    y: float
    touch_id: int
    double: bool


class DoubleTouchDetector:
    """Pure: ``down(x, y, t)`` is True when the previous down was under ``window_s``
    earlier and nearer than ``distance`` (the same finger, seen twice)."""

    def __init__(self, distance: float, window_s: float = DOUBLE_TOUCH_S) -> None:
        self.distance = distance
        self.window_s = window_s
        self._last: tuple[float, float, float] | None = None

    def down(self, x: float, y: float, t: float) -> bool:
        last, self._last = self._last, (x, y, t)
        if last is None:
            return False
        lx, ly, lt = last
        return 0 <= t - lt < self.window_s and math.hypot(x - lx, y - ly) < self.distance

    def reset(self) -> None:
        self._last = None


class TouchPad(Widget):
    """Draws every touch-down with its id; ``downs`` and ``doubles`` count them."""

    downs = NumericProperty(0)
    doubles = NumericProperty(0)
    hint = StringProperty("")  # shown while the pad is empty

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._detector = DoubleTouchDetector(distance=theme.touch * 0.75)
        self._marks: list[TouchMark] = []
        self._live: dict[int, tuple[float, float]] = {}
        self._label_cache: dict[str, Any] = {}
        for name in ("pos", "size", "hint"):
            self.fbind(name, self._draw)
        self._draw()

    def reset(self) -> None:
        self.downs = self.doubles = 0
        self._marks.clear()
        self._live.clear()
        self._detector.reset()
        self._draw()

    # Touches ---------------------------------------------------------------------------

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        x, y = touch.x - self.x, touch.y - self.y
        self._detector.distance = theme.touch * 0.75  # follows a resize
        double = self._detector.down(touch.x, touch.y, touch.time_start)
        self.downs += 1
        self.doubles += int(double)
        self._marks = [*self._marks, TouchMark(x, y, int(touch.uid), double)][-KEEP_MARKS:]
        self._live[touch.uid] = (x, y)
        touch.grab(self)
        self._draw()
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is self:
            self._live[touch.uid] = (touch.x - self.x, touch.y - self.y)
            self._draw()
            return True
        return False

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            self._live.pop(touch.uid, None)
            self._draw()
            return True
        return False

    # Drawing -----------------------------------------------------------------------------

    def _text(self, text: str, size: float, width: float | None = None) -> Any:
        key = f"{text}:{size}:{width}"
        if key not in self._label_cache:
            if len(self._label_cache) > 4 * KEEP_MARKS:  # touch ids only grow
                self._label_cache.clear()
            label = CoreLabel(text=text, font_size=size, bold=width is None, halign="center",
                              text_size=(width, None))
            label.refresh()
            self._label_cache[key] = label.texture
        return self._label_cache[key]

    def _draw(self, *_: Any) -> None:
        self.canvas.clear()
        radius = theme.touch * 0.42
        with self.canvas:
            Color(*theme.surface)
            Rectangle(pos=self.pos, size=self.size)
            Color(*theme.line_color)
            Line(rectangle=(self.x + 1, self.y + 1, self.width - 2, self.height - 2), width=1.2)
            count = len(self._marks)
            if not count and self.hint and self.width > 4 * theme.gap_xl:
                texture = self._text(self.hint, theme.fs_body, self.width - 4 * theme.gap_xl)
                Color(*theme.text_muted)
                Rectangle(texture=texture, size=texture.size,
                          pos=(self.center_x - texture.width / 2,
                               self.center_y - texture.height / 2))
            for index, mark in enumerate(self._marks):
                fade = 0.35 + 0.65 * (index + 1) / count
                color = theme.error if mark.double else theme.accent
                cx, cy = self.x + mark.x, self.y + mark.y
                Color(*theme.with_alpha(color, 0.25 * fade))
                Ellipse(pos=(cx - radius, cy - radius), size=(2 * radius, 2 * radius))
                Color(*theme.with_alpha(color, fade))
                Line(circle=(cx, cy, radius), width=2 if mark.double else 1.4)
                texture = self._text(str(mark.touch_id), theme.fs_caption)
                Color(*theme.with_alpha(theme.text, fade))
                # A double's number goes below its ring: the first one's is above it.
                y = cy - radius - theme.gap_xs - texture.height if mark.double else (
                    cy + radius + theme.gap_xs)
                Rectangle(texture=texture, size=texture.size, pos=(cx - texture.width / 2, y))
            Color(*theme.text)
            for x, y in self._live.values():  # fingers still down: a solid ring
                Line(circle=(self.x + x, self.y + y, radius * 0.55), width=2.5)
