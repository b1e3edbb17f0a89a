"""The two palettes: every text colour on the fill it is drawn on passes WCAG AA (4.5:1)."""

from __future__ import annotations

import pytest
from kivy.utils import get_color_from_hex

from kiosk.settings.config import DISPLAY_THEMES
from kiosk.ui.theme import PALETTES, THEMES
from kiosk.ui.tooling.finger_check import contrast_ratio

# (text, fill) pairs the screens draw.
PAIRS = [
    ("text", "bg"), ("text", "surface"), ("text", "surface_hi"),
    ("text_muted", "bg"), ("text_muted", "surface"), ("text_muted", "surface_hi"),
    ("text_on_primary", "primary"), ("text_dark", "accent"), ("text_dark", "warn"),
    ("text_dark", "ok"), ("text_dark", "clock_in"), ("text_dark", "clock_out"),
    ("text_on_notice", "notice_warn"), ("text_on_notice", "notice_error"),
    ("accent", "bg"), ("error", "surface"), ("warn", "bg"),
]


@pytest.mark.parametrize("palette", THEMES)
@pytest.mark.parametrize(("text", "fill"), PAIRS)
def test_text_on_its_fill_passes_wcag_aa(palette, text, fill):
    colours = PALETTES[palette]
    ratio = contrast_ratio(*(tuple(get_color_from_hex(colours[k])[:3]) for k in (text, fill)))
    assert ratio >= 4.5, f"{palette}: {text} on {fill} is {ratio:.1f}:1"


def test_the_config_offers_exactly_the_palettes_the_screens_have():
    assert tuple(DISPLAY_THEMES) == THEMES
