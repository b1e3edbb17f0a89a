"""Picture: a photo or drawing of a message, full screen, with Back and Done.

The texture comes ready from the screen that opened it (decoded off the UI
thread by ``kiosk.ui.widgets.pictures``); this screen only shows it, letterboxed on black.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty, StringProperty

from kiosk.ui.screens.base import KioskScreen


class PictureScreen(KioskScreen):
    texture = ObjectProperty(None, allownone=True)
    caption = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.return_to = ""  # the screen Back goes to

    def show(self, texture: Any, caption: str, return_to: str) -> None:
        self.texture, self.caption, self.return_to = texture, caption, return_to

    def clear(self) -> None:
        self.texture, self.caption, self.return_to = None, "", ""
