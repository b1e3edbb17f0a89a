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
from kivy.properties import ColorProperty, NumericProperty, StringProperty
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


# Palettes: "dark" (the default, text >= 7:1 on the background) and "light", for
# bright shop floors (near-black on white; fills dark enough for white text on them).
# ``text_on_primary`` is text on a primary fill, ``text_dark`` text on an accent, warn,
# ok or clock fill, ``text_on_notice`` text on a notice's background.
PALETTES: dict[str, dict[str, str]] = {
    "dark": {
        "bg": "#0B1322", "surface": "#152238", "surface_hi": "#1E2F4D",
        "line_color": "#2B3E60", "text": "#F4F7FC", "text_muted": "#AEBBD2",
        "text_dark": "#0B1322", "text_on_primary": "#F4F7FC", "text_on_notice": "#F4F7FC",
        "primary": "#2563EB", "primary_hi": "#3B82F6", "accent": "#60A5FA",
        "clock_in": "#22C55E", "clock_out": "#F59E0B", "ok": "#34D399", "warn": "#FBBF24",
        "error": "#F87171", "notice_warn": "#8A3B06", "notice_error": "#8B1A1A",
        "picture_bg": "#0D121C", "scrim": "#00000066",
    },
    "light": {
        "bg": "#FFFFFF", "surface": "#EEF2F7", "surface_hi": "#DCE4EF",
        "line_color": "#8A97AD", "text": "#0B1322", "text_muted": "#3B4A63",
        "text_dark": "#FFFFFF", "text_on_primary": "#FFFFFF", "text_on_notice": "#FFFFFF",
        "primary": "#1D4ED8", "primary_hi": "#1E40AF", "accent": "#1D4ED8",
        "clock_in": "#15803D", "clock_out": "#B45309", "ok": "#15803D", "warn": "#B45309",
        "error": "#B91C1C", "notice_warn": "#8A3B06", "notice_error": "#8B1A1A",
        "picture_bg": "#0D121C", "scrim": "#00000066",
    },
}
THEMES = tuple(PALETTES)


class Theme(EventDispatcher):
    u = NumericProperty(1.0)
    dpi = NumericProperty(0)
    touch = NumericProperty(MIN_TOUCH_PX)
    palette = StringProperty("dark")  # set last by ``use``: Python-styled widgets bind to it

    bg = ColorProperty(hex_color(PALETTES["dark"]["bg"]))
    surface = ColorProperty(hex_color(PALETTES["dark"]["surface"]))
    surface_hi = ColorProperty(hex_color(PALETTES["dark"]["surface_hi"]))
    line_color = ColorProperty(hex_color(PALETTES["dark"]["line_color"]))
    text = ColorProperty(hex_color(PALETTES["dark"]["text"]))
    text_muted = ColorProperty(hex_color(PALETTES["dark"]["text_muted"]))
    text_dark = ColorProperty(hex_color(PALETTES["dark"]["text_dark"]))
    text_on_primary = ColorProperty(hex_color(PALETTES["dark"]["text_on_primary"]))
    text_on_notice = ColorProperty(hex_color(PALETTES["dark"]["text_on_notice"]))
    primary = ColorProperty(hex_color(PALETTES["dark"]["primary"]))
    primary_hi = ColorProperty(hex_color(PALETTES["dark"]["primary_hi"]))
    accent = ColorProperty(hex_color(PALETTES["dark"]["accent"]))
    clock_in = ColorProperty(hex_color(PALETTES["dark"]["clock_in"]))
    clock_out = ColorProperty(hex_color(PALETTES["dark"]["clock_out"]))
    ok = ColorProperty(hex_color(PALETTES["dark"]["ok"]))
    warn = ColorProperty(hex_color(PALETTES["dark"]["warn"]))
    error = ColorProperty(hex_color(PALETTES["dark"]["error"]))
    notice_warn = ColorProperty(hex_color(PALETTES["dark"]["notice_warn"]))
    notice_error = ColorProperty(hex_color(PALETTES["dark"]["notice_error"]))
    picture_bg = ColorProperty(hex_color(PALETTES["dark"]["picture_bg"]))
    scrim = ColorProperty(hex_color(PALETTES["dark"]["scrim"]))

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

    def use(self, name: str) -> None:
        """Switch to the ``name`` palette (one of THEMES); .kv rules follow at once."""
        for key, value in PALETTES[name].items():
            setattr(self, key, hex_color(value))
        self.palette = name

    def with_alpha(self, color: list[float], alpha: float) -> list[float]:
        return [color[0], color[1], color[2], alpha]


theme = Theme()
