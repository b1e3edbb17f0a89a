"""Keyboard-wedge (USB HID) readers: key events from a Linux input device -> badge ids.

The reader "types" the id and presses Enter. Decoding works on Linux key codes
(``linux/input-event-codes.h``), not on characters, so the host's keyboard
layout does not matter. Shift is ignored for the digit row, so a reader set up
for a French (AZERTY) layout, which holds Shift to type digits, still decodes.
No evdev import here: this module is pure and tested without a device.
"""

from __future__ import annotations

import time

from badge_reader.protocols.base import (
    BadgeProtocol,
    Clock,
    FrameError,
    ReadCallback,
    RejectCallback,
    RejectReason,
)
from badge_reader.protocols.line import MAX_ID_CHARS, decode_line

# Key event values as reported by the kernel.
KEY_UP = 0
KEY_DOWN = 1
KEY_AUTOREPEAT = 2

ENTER_CODES = frozenset({28, 96})  # KEY_ENTER, KEY_KPENTER
# Shift, Ctrl, Alt, Meta, Caps Lock, Num Lock: state keys that type nothing.
MODIFIER_CODES = frozenset({29, 42, 54, 56, 58, 69, 97, 100, 125, 126})

_DIGIT_ROW = {2 + i: "1234567890"[i] for i in range(10)}  # KEY_1 .. KEY_0
_KEYPAD = {79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9", 82: "0"}
_LETTER_ROWS = {16: "QWERTYUIOP", 30: "ASDFGHJKL", 44: "ZXCVBNM"}  # first code of each row
_LETTERS = {
    first + i: letter for first, row in _LETTER_ROWS.items() for i, letter in enumerate(row)
}
KEY_CHARACTERS: dict[int, str] = {**_DIGIT_ROW, **_KEYPAD, **_LETTERS}

# A reader types a whole id in well under a second; a longer pause means the
# previous keys were a fragment (reader unplugged mid-id, a stuck key).
DEFAULT_MAX_KEY_GAP = 1.0


def key_to_character(code: int) -> str | None:
    """The upper-case character typed by key ``code`` (US layout), or None if it types none."""
    return KEY_CHARACTERS.get(code)


def decode_keys(codes: list[int]) -> str:
    """Decode the key-down codes of one id (without Enter) into the typed text.

    Modifiers are skipped; any other key that types no digit or letter becomes
    ``?`` so that validation rejects the id instead of silently shortening it.
    """
    chars = []
    for code in codes:
        if code in MODIFIER_CODES:
            continue
        chars.append(key_to_character(code) or "?")
    return "".join(chars)


class WedgeProtocol(BadgeProtocol):
    """Collects key-down events until Enter, then emits the typed id.

    The id must be hex characters (decimal digits are a subset), returned
    upper-case as typed; ``reverse_bytes`` works as for line readers. Key-up
    and auto-repeat events are ignored.
    """

    name = "wedge"

    def __init__(
        self,
        on_read: ReadCallback,
        on_reject: RejectCallback | None = None,
        *,
        reverse_bytes: bool = False,
        max_key_gap: float = DEFAULT_MAX_KEY_GAP,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(on_read, on_reject, clock=clock)
        self._reverse = reverse_bytes
        self._max_key_gap = max_key_gap
        self._codes: list[int] = []
        self._last_key_at: float | None = None

    def key_event(self, code: int, value: int) -> None:
        """Feed one EV_KEY event (``value``: 0 up, 1 down, 2 auto-repeat)."""
        if value != KEY_DOWN or code in MODIFIER_CODES:
            return
        now = self._clock()
        if self._codes and self._last_key_at is not None:
            if now - self._last_key_at > self._max_key_gap:
                self._reject(RejectReason.TRUNCATED, self._typed())
                self._codes.clear()
        self._last_key_at = now
        if code in ENTER_CODES:
            self._finish()
        elif len(self._codes) <= MAX_ID_CHARS:
            # One key past the limit is kept so the id is rejected as too long.
            self._codes.append(code)

    def connection_lost(self, exc: BaseException | None) -> None:
        """Keys typed without a final Enter are reported as truncated."""
        if self._codes:
            self._reject(RejectReason.TRUNCATED, self._typed())
        self._codes.clear()

    def _typed(self) -> bytes:
        return decode_keys(self._codes).encode("ascii")

    def _finish(self) -> None:
        raw = self._typed() + b"\n"
        self._codes.clear()
        if raw == b"\n":
            return
        try:
            badge = decode_line(raw[:-1], base=16, reverse_bytes=self._reverse)
        except FrameError as exc:
            self._reject(exc.reason, raw)
            return
        self._emit(badge, raw)
