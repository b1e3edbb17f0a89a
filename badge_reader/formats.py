"""Site display and matching formats for canonical EM4100 ids.

There is no standard for turning the 40 bits of an EM4100 tag into "the card
number": sites print the full hex, the 32-bit decimal of the 4 low bytes, or a
Wiegand-26 style "facility,card". The terminal stores the canonical id (10 hex
characters) and uses these functions to show it and to match a number typed
from, or printed on, a card.

For canonical id ``0F00123456``:
    hex            0F00123456
    dec32          0001193046   (0x00123456, zero-padded to 10 digits)
    facility-card  018,13398    (byte 3 as 3 digits, low 16 bits as 5 digits)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMAT_NAMES: tuple[str, ...] = ("hex", "dec32", "facility-card")

_CANONICAL = re.compile(r"[0-9A-F]{10}")
_HEX_INPUT = re.compile(r"[0-9A-Fa-f]{10}")
_DEC_INPUT = re.compile(r"[0-9]{1,10}")
_FACILITY_CARD_INPUT = re.compile(r"([0-9]{1,3})\s*,\s*([0-9]{1,5})")


def _check_canonical(badge: str) -> None:
    if not _CANONICAL.fullmatch(badge):
        raise ValueError("not a canonical EM4100 id (10 upper-case hex characters)")


def _check_format(fmt: str) -> None:
    if fmt not in FORMAT_NAMES:
        raise ValueError(f"unknown badge format {fmt!r}; choose one of: {', '.join(FORMAT_NAMES)}")


def format_badge(badge: str, fmt: str) -> str:
    """Show canonical EM4100 id ``badge`` in site format ``fmt``.

    Raises ValueError for an unknown format or a non-canonical id.
    """
    _check_format(fmt)
    _check_canonical(badge)
    if fmt == "hex":
        return badge
    if fmt == "dec32":
        return f"{int(badge[2:], 16):010d}"
    facility, card = int(badge[4:6], 16), int(badge[6:], 16)
    return f"{facility:03d},{card:05d}"


def display_formats(badge: str) -> dict[str, str]:
    """All site formats of canonical EM4100 id ``badge``, keyed by format name."""
    return {fmt: format_badge(badge, fmt) for fmt in FORMAT_NAMES}


@dataclass(frozen=True)
class BadgePattern:
    """What a typed or printed number identifies: the hex digits a canonical id ends with.

    A "hex" number fixes all 10 characters; "dec32" only the low 8 (the
    version byte is not printed); "facility-card" only the low 6.
    """

    hex_suffix: str

    def matches(self, badge: str) -> bool:
        """True if canonical EM4100 id ``badge`` is one this number can stand for."""
        return len(badge) == 10 and badge.upper().endswith(self.hex_suffix)


def parse_badge_number(text: str, fmt: str) -> BadgePattern:
    """Parse a number typed or printed in site format ``fmt`` into a BadgePattern.

    Accepts surrounding whitespace, lower-case hex, dec32 without zero padding
    and "facility,card" with or without padding or spaces around the comma.
    Raises ValueError (whose message does not repeat the input) when ``text``
    is not a valid number in ``fmt``.
    """
    _check_format(fmt)
    value = text.strip()
    if fmt == "hex":
        if not _HEX_INPUT.fullmatch(value):
            raise ValueError("expected 10 hex characters")
        return BadgePattern(value.upper())
    if fmt == "dec32":
        if not _DEC_INPUT.fullmatch(value) or int(value) > 0xFFFFFFFF:
            raise ValueError("expected a decimal number from 0 to 4294967295")
        return BadgePattern(f"{int(value):08X}")
    match = _FACILITY_CARD_INPUT.fullmatch(value)
    if not match or int(match[1]) > 0xFF or int(match[2]) > 0xFFFF:
        raise ValueError("expected facility,card with facility 0-255 and card 0-65535")
    return BadgePattern(f"{int(match[1]):02X}{int(match[2]):04X}")
