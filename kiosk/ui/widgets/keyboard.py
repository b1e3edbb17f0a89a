"""An on-screen keyboard for the wall terminal: no physical keyboard is ever assumed.

AZERTY or QWERTY (AZERTY for French workers), an accents row with every letter
French needs one tap away (no long-press: gloves and hurried fingers miss it),
shift, a numbers/punctuation page, backspace, space and enter.  It edits nothing
itself: it dispatches ``on_text(chars)``, ``on_backspace`` and ``on_enter``, so
the screen owning the draft decides about limits.  Rules in keyboard.kv.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.widgets.common import TouchTarget

LAYOUTS = {
    "azerty": ("azertyuiop", "qsdfghjklm", "wxcvbn'"),
    "qwerty": ("qwertyuiop", "asdfghjkl", "zxcvbnm"),
}
SYMBOLS = ("1234567890", "@#€%&-+()/", "*\"':;!?«»")
# 14 keys: at 800 px wide each stays above 9 mm on a 7-inch panel (the French
# quotes « » live on the ?123 page).
ACCENTS = "àâçéèêëîïôùûüœ"
# Special keys: their value is a command, not text.
SHIFT, BACKSPACE, ENTER, SPACE, PAGE, LAYOUT = (
    "{shift}", "{backspace}", "{enter}", "{space}", "{page}", "{layout}")


def default_layout(language: str) -> str:
    """French workers learnt on AZERTY; everyone else gets QWERTY."""
    return "azerty" if language == "fr" else "qwerty"


# Commands drawn as line icons (the screen font has no arrows).
_ICONS = {SHIFT: "shift", BACKSPACE: "backspace", ENTER: "enter"}


class Key(TouchTarget, ButtonBehavior, AnchorLayout):
    """One key: ``value`` is what it types (or a command); ``weight`` its relative width."""

    text = StringProperty("")
    icon = StringProperty("")
    value = StringProperty("")
    weight = NumericProperty(1.0)
    kind = OptionProperty("char", options=("char", "accent", "command", "active"))


class OnScreenKeyboard(BoxLayout):
    layout = OptionProperty("azerty", options=tuple(LAYOUTS))
    page = OptionProperty("letters", options=("letters", "symbols"))
    shift = BooleanProperty(False)
    __events__ = ("on_text", "on_backspace", "on_enter")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._keys: list[Key] = []
        self.fbind("layout", self._rebuild)
        self.fbind("page", self._rebuild)
        self.fbind("shift", self._relabel)
        self._rebuild()

    # Building -------------------------------------------------------------------------------

    def _rows(self) -> list[list[tuple[str, float, str]]]:
        """(value, weight, kind) per key, top row first."""
        chars = LAYOUTS[self.layout] if self.page == "letters" else SYMBOLS
        accents = [(c, 1.0, "accent") for c in ACCENTS]
        rows = [accents] + [[(c, 1.0, "char") for c in row] for row in chars]
        if self.page == "letters":
            rows[3] = [(SHIFT, 1.5, "command"), *rows[3], (BACKSPACE, 1.5, "command")]
        else:
            rows[3] = [*rows[3], (BACKSPACE, 1.5, "command")]
        rows.append([(PAGE, 1.5, "command"), (LAYOUT, 1.5, "command"), (",", 1.0, "char"),
                     (SPACE, 5.0, "char"), (".", 1.0, "char"), (ENTER, 1.5, "command")])
        return rows

    def _rebuild(self, *_: Any) -> None:
        self.clear_widgets()
        self._keys = []
        for row in self._rows():
            line = BoxLayout(spacing=self.spacing)
            for value, weight, kind in row:
                key = Key(value=value, weight=weight, kind=kind, size_hint_x=weight,
                          icon=_ICONS.get(value, ""))
                key.bind(on_release=self._pressed)
                line.add_widget(key)
                self._keys.append(key)
            self.add_widget(line)
        self._relabel()

    def _relabel(self, *_: Any) -> None:
        for key in self._keys:
            key.text = self.label(key.value)
            if key.value == SHIFT:
                key.kind = "active" if self.shift else "command"

    def label(self, value: str) -> str:
        """What a key shows (letters follow shift; commands get a short sign)."""
        if value in _ICONS or value == SPACE:
            return ""
        if value == PAGE:
            return "?123" if self.page == "letters" else "ABC"
        if value == LAYOUT:
            return "QWERTY" if self.layout == "azerty" else "AZERTY"  # what a tap gives
        return self._case(value)

    def _case(self, char: str) -> str:
        return char.upper() if self.shift and char not in "«»" else char

    # Typing ----------------------------------------------------------------------------------

    def key_for(self, value: str) -> Key:
        """The key that types ``value`` (tests and the tour tap it like a finger)."""
        return next(k for k in self._keys if k.value == value)

    def _pressed(self, key: Key) -> None:
        value = key.value
        if value == SHIFT:
            self.shift = not self.shift
        elif value == BACKSPACE:
            self.dispatch("on_backspace")
        elif value == ENTER:
            self.dispatch("on_enter")
        elif value == PAGE:
            self.page = "symbols" if self.page == "letters" else "letters"
        elif value == LAYOUT:
            self.layout = "qwerty" if self.layout == "azerty" else "azerty"
        else:
            self.dispatch("on_text", " " if value == SPACE else self._case(value))
            self.shift = False  # one capital, as on a phone

    def on_text(self, chars: str) -> None:
        pass

    def on_backspace(self) -> None:
        pass

    def on_enter(self) -> None:
        pass
