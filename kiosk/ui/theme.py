"""The visual design in one place: palette, type scale, spacing and touch sizes.

Sizes are given for the smallest supported screen (800x480) and scaled with the
window, a little less than proportionally, so a 1280x800 screen gets larger
text and buttons *and* more room.  Touch targets never drop below 64 px nor,
when the screen density is known, below 9 mm.  .kv files read everything from
``theme`` (``#:import theme kiosk.ui.theme.theme``) and so follow a resize.
"""

from __future__ import annotations

from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import ColorProperty, NumericProperty
from kivy.utils import get_color_from_hex as hex_color

BASE_WIDTH, BASE_HEIGHT = 800, 480
SCALE_EXPONENT = 0.85  # 1.0 would only zoom; below it, big screens also show more
MIN_TOUCH_PX = 64
MIN_TOUCH_MM = 9.0

# Sizes at 800x480, in pixels: type scale, spacing, shapes.
_SIZES = {
    "fs_small": 15, "fs_caption": 17, "fs_body": 20, "fs_lead": 24, "fs_title": 30,
    "fs_headline": 40, "fs_display": 120,
    "gap_xs": 4, "gap_s": 8, "gap_m": 16, "gap_l": 24, "gap_xl": 32,
    "radius": 14, "radius_s": 8, "header": 76, "row": 96, "icon": 28, "icon_l": 64, "line": 2,
}


class Theme(EventDispatcher):
    u = NumericProperty(1.0)
    dpi = NumericProperty(0)
    touch = NumericProperty(MIN_TOUCH_PX)

    # Palette: a dark, high-contrast scheme (text >= 7:1 on the background).
    bg = ColorProperty(hex_color("#0B1322"))
    surface = ColorProperty(hex_color("#152238"))
    surface_hi = ColorProperty(hex_color("#1E2F4D"))
    line_color = ColorProperty(hex_color("#2B3E60"))
    text = ColorProperty(hex_color("#F4F7FC"))
    text_muted = ColorProperty(hex_color("#AEBBD2"))
    text_dark = ColorProperty(hex_color("#0B1322"))
    primary = ColorProperty(hex_color("#2563EB"))
    primary_hi = ColorProperty(hex_color("#3B82F6"))
    accent = ColorProperty(hex_color("#60A5FA"))
    clock_in = ColorProperty(hex_color("#22C55E"))
    clock_out = ColorProperty(hex_color("#F59E0B"))
    ok = ColorProperty(hex_color("#34D399"))
    warn = ColorProperty(hex_color("#FBBF24"))
    error = ColorProperty(hex_color("#F87171"))
    notice_warn = ColorProperty(hex_color("#8A3B06"))
    notice_error = ColorProperty(hex_color("#8B1A1A"))
    scrim = ColorProperty(hex_color("#00000066"))

    # Sizes (see _SIZES); NumericProperty so that .kv rules follow a rescale.
    fs_small = NumericProperty(_SIZES["fs_small"])
    fs_caption = NumericProperty(_SIZES["fs_caption"])
    fs_body = NumericProperty(_SIZES["fs_body"])
    fs_lead = NumericProperty(_SIZES["fs_lead"])
    fs_title = NumericProperty(_SIZES["fs_title"])
    fs_headline = NumericProperty(_SIZES["fs_headline"])
    fs_display = NumericProperty(_SIZES["fs_display"])
    gap_xs = NumericProperty(_SIZES["gap_xs"])
    gap_s = NumericProperty(_SIZES["gap_s"])
    gap_m = NumericProperty(_SIZES["gap_m"])
    gap_l = NumericProperty(_SIZES["gap_l"])
    gap_xl = NumericProperty(_SIZES["gap_xl"])
    radius = NumericProperty(_SIZES["radius"])
    radius_s = NumericProperty(_SIZES["radius_s"])
    header = NumericProperty(_SIZES["header"])
    row = NumericProperty(_SIZES["row"])
    icon = NumericProperty(_SIZES["icon"])
    icon_l = NumericProperty(_SIZES["icon_l"])
    line = NumericProperty(_SIZES["line"])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(u=self._rescale, dpi=self._rescale)

    def fit(self, width: float, height: float) -> None:
        """Scale the sizes to a window of ``width`` x ``height`` pixels."""
        ratio = max(0.5, min(width / BASE_WIDTH, height / BASE_HEIGHT))
        self.u = ratio**SCALE_EXPONENT if ratio > 1 else ratio

    def _rescale(self, *_: Any) -> None:
        for name, value in _SIZES.items():
            setattr(self, name, round(value * self.u))
        touch_mm = self.dpi / 25.4 * MIN_TOUCH_MM if self.dpi else 0
        self.touch = round(max(MIN_TOUCH_PX * self.u, MIN_TOUCH_PX, touch_mm))

    def with_alpha(self, color: list[float], alpha: float) -> list[float]:
        return [color[0], color[1], color[2], alpha]


theme = Theme()
