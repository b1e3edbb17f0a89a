"""Keep text to what the screen font can draw.

Kivy's bundled Roboto has no emoji and few symbols; a character it lacks is
drawn as an empty box.  Message text comes from people's phones, so before it
is shown, characters the font lacks (emoji, pictographs, joiners) are dropped.
Letters and punctuation below U+2000 are all in Roboto and are never tested.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import kivy
from PIL import ImageFont

FONT = Path(kivy.kivy_data_dir) / "fonts" / "Roboto-Regular.ttf"
_MISSING_PROBE = "\U000f0000"  # a private-use code point: surely not in the font
_SPACES = re.compile(r"[ \t]{2,}")
_HIGH = re.compile("[^\x00-\u1fff]")  # a character at or above U+2000


@cache
def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), 24)


@cache
def _missing_mask() -> bytes:
    return bytes(_font().getmask(_MISSING_PROBE))


@cache
def can_draw(char: str) -> bool:
    if ord(char) < 0x2000 or char.isspace():
        return True
    mask = _font().getmask(char)
    return mask.getbbox() is not None and bytes(mask) != _missing_mask()


def drawable(text: str) -> str:
    """``text`` without the characters the screen font would show as boxes."""
    if _HIGH.search(text) is None:  # the usual case, in C: every row of the inbox asks
        return text
    kept = "".join(c for c in text if can_draw(c))
    return _SPACES.sub(" ", kept).strip()
