"""The labels of a screen that is not shown render their text when it is shown, not before.

Why: every screen is built once and kept, and the language follows the worker. A badge
in English switched the language of every built screen, and each of their labels (the
idle screen's, the inbox's, compose's...) rasterised its new text and uploaded it as a
texture in the frame that was to show the welcome screen: measured, about 14 label
renders per badge, 2 ms each on a loaded machine with Mesa's software renderer. A label
whose screen is off the window now only notes that it is stale; ``render_stale`` renders
those labels when their screen is added to its screen manager to be shown (before its
``on_pre_enter``, and before that frame's layout), so a screen is never drawn with old text.

Labels outside any screen, or in the screen shown, render as Kivy always does.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakSet

from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

_kivy_texture_update = Label.texture_update
_STALE = "_kiosk_stale_labels"


def _hidden_screen(label: Label) -> Screen | None:
    """The screen ``label`` is on when that screen is off the window, else None."""
    node = label.parent
    while isinstance(node, Widget):  # (the Window is no Widget, and its own parent)
        if isinstance(node, Screen):
            return node if node.parent is None else None
        node = node.parent
    return None


def texture_update(self: Label, *largs: Any) -> None:
    screen = _hidden_screen(self)
    if screen is None:
        _kivy_texture_update(self, *largs)
        return
    stale = getattr(screen, _STALE, None)
    if stale is None:
        stale = WeakSet()
        setattr(screen, _STALE, stale)
        screen.fbind("parent", _shown)  # any screen manager's, the admin screen's tabs too
    stale.add(self)


def _shown(screen: Screen, parent: Any) -> None:
    if parent is not None:
        render_stale(screen)


def render_stale(screen: Screen) -> None:
    """Render the labels of ``screen`` whose text changed while it was hidden."""
    stale = getattr(screen, _STALE, None)
    if stale is None:
        return
    setattr(screen, _STALE, None)
    screen.funbind("parent", _shown)
    for label in list(stale):
        _kivy_texture_update(label)


# Labels bind their texture trigger to ``self.texture_update`` when created: installed at
# import, before the shell builds any screen.
Label.texture_update = texture_update
