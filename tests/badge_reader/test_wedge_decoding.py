"""Keyboard-wedge readers: Linux key events decoded without any input device."""

from __future__ import annotations

import pytest

from badge_reader.protocols.wedge import (
    KEY_AUTOREPEAT,
    KEY_DOWN,
    KEY_UP,
    WedgeProtocol,
    decode_keys,
    key_to_character,
)
from tests.support.clocks_and_loops import FakeClock

# Linux key codes (linux/input-event-codes.h)
DIGITS = {"1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10, "0": 11}
LETTERS = {"A": 30, "B": 48, "C": 46, "D": 32, "E": 18, "F": 33, "G": 34}
KEYPAD = {"0": 82, "1": 79, "2": 80, "3": 81, "4": 75, "5": 76, "6": 77, "7": 71, "8": 72, "9": 73}
KEY_ENTER, KEY_KPENTER, KEY_LEFTSHIFT, KEY_SPACE = 28, 96, 42, 57



class Keyboard:
    """Types into a WedgeProtocol like a reader does: press and release each key."""

    def __init__(self, **options: object) -> None:
        self.clock = FakeClock(0.0)
        self.reads: list[str] = []
        self.rejects: list[tuple[str, bytes]] = []
        self.protocol = WedgeProtocol(
            lambda read: self.reads.append(read.badge),
            lambda reason, raw: self.rejects.append((reason, raw)),
            clock=self.clock,
            **options,  # type: ignore[arg-type]
        )

    def tap(self, code: int) -> None:
        self.clock.now += 0.01
        self.protocol.key_event(code, KEY_DOWN)
        self.protocol.key_event(code, KEY_UP)

    def type_text(self, text: str, *, keymap: dict[str, int] | None = None) -> None:
        keys = keymap or {**DIGITS, **LETTERS}
        for char in text:
            self.tap(keys[char])

    def enter(self, code: int = KEY_ENTER) -> None:
        self.tap(code)


def test_typed_digits_followed_by_enter_are_one_read() -> None:
    keyboard = Keyboard()
    keyboard.type_text("0001193046")
    keyboard.enter()
    assert keyboard.reads == ["0001193046"]


def test_hex_letters_are_read_upper_case() -> None:
    keyboard = Keyboard()
    keyboard.type_text("0F00123456")
    keyboard.enter()
    assert keyboard.reads == ["0F00123456"]


def test_keypad_digits_and_keypad_enter_are_understood() -> None:
    keyboard = Keyboard()
    keyboard.type_text("0000123478", keymap=KEYPAD)
    keyboard.enter(KEY_KPENTER)
    assert keyboard.reads == ["0000123478"]


def test_digits_typed_with_shift_held_still_decode_for_azerty_configured_readers() -> None:
    keyboard = Keyboard()
    keyboard.protocol.key_event(KEY_LEFTSHIFT, KEY_DOWN)
    keyboard.type_text("123")
    keyboard.protocol.key_event(KEY_LEFTSHIFT, KEY_UP)
    keyboard.enter()
    assert keyboard.reads == ["123"]


def test_auto_repeat_events_do_not_add_characters() -> None:
    keyboard = Keyboard()
    keyboard.protocol.key_event(DIGITS["1"], KEY_DOWN)
    keyboard.protocol.key_event(DIGITS["1"], KEY_AUTOREPEAT)
    keyboard.protocol.key_event(DIGITS["1"], KEY_UP)
    keyboard.enter()
    assert keyboard.reads == ["1"]


def test_a_key_that_types_no_hex_character_rejects_the_id() -> None:
    keyboard = Keyboard()
    keyboard.type_text("12")
    keyboard.tap(KEY_SPACE)
    keyboard.type_text("G")
    keyboard.enter()
    assert keyboard.reads == []
    assert keyboard.rejects == [("bad-characters", b"12?G\n")]


def test_enter_alone_is_ignored() -> None:
    keyboard = Keyboard()
    keyboard.enter()
    assert (keyboard.reads, keyboard.rejects) == ([], [])


def test_a_long_pause_drops_the_fragment_typed_before_it() -> None:
    keyboard = Keyboard()
    keyboard.type_text("0F00")
    keyboard.clock.now += 5.0
    keyboard.type_text("1A0067B3C2")
    keyboard.enter()
    assert keyboard.rejects == [("truncated", b"0F00")]
    assert keyboard.reads == ["1A0067B3C2"]


def test_an_id_longer_than_32_characters_is_rejected() -> None:
    keyboard = Keyboard()
    keyboard.type_text("1" * 50)
    keyboard.enter()
    assert keyboard.reads == []
    assert [reason for reason, _ in keyboard.rejects] == ["bad-length"]


def test_reverse_bytes_applies_to_typed_uids() -> None:
    keyboard = Keyboard(reverse_bytes=True)
    keyboard.type_text("4CDDA15F")
    keyboard.enter()
    assert keyboard.reads == ["5FA1DD4C"]


def test_connection_lost_with_keys_pending_reports_them_truncated() -> None:
    keyboard = Keyboard()
    keyboard.type_text("12")
    keyboard.protocol.connection_lost(OSError("unplugged"))
    assert keyboard.rejects == [("truncated", b"12")]


def test_decode_keys_skips_modifiers_and_marks_unknown_keys() -> None:
    assert decode_keys([KEY_LEFTSHIFT, DIGITS["1"], KEY_SPACE, LETTERS["F"]]) == "1?F"


def test_key_map_agrees_with_the_kernel_key_names() -> None:
    evdev = pytest.importorskip("evdev")
    for code in range(256):
        name = evdev.ecodes.KEY.get(code)
        char = key_to_character(code)
        if char is None:
            continue
        names = name if isinstance(name, list) else [name]
        assert f"KEY_{char}" in names or f"KEY_KP{char}" in names, (code, names)
