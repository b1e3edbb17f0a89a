"""``CachedBox``: a BoxLayout drawn into a texture, redrawn only when one of its children changes.

Why: Kivy redraws every instruction of the screen at every frame, and with Mesa's
software renderer each draw call costs 0.1-0.2 ms whatever its size (measured: ten
tool buttons, about 12 ms per frame). A screen that animates one part (the drawing
screen while a finger moves) would pay for all its static buttons at every frame.
Inside a ``CachedBox`` the children render into an ``Fbo`` only when one of their
instructions changes (a press, a selection, a new label); the other frames draw one
textured rectangle.

The texture is opaque: cleared to ``cache_color`` (the screen's background), so
half-transparent children (a disabled button) blend as they would on the screen,
and the texture is drawn without blending and without filtering (pixel for pixel):
the software renderer then neither reads the pixels behind it nor interpolates.
Touches are not affected: the children stay ordinary widgets of the tree.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Callback, ClearBuffers, ClearColor, Color, Fbo, Rectangle, Translate
from kivy.graphics.instructions import Canvas
from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
from kivy.properties import ColorProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.ui.theme import theme


class CachedBox(BoxLayout):
    """A BoxLayout whose children are drawn once into a texture (see the module's doc)."""

    cache_color = ColorProperty(theme.bg)

    def __init__(self, **kwargs: Any) -> None:
        # The widget's own canvas shows the texture; the children's canvases go into
        # the Fbo (add_widget below), shifted so that the box's corner is the origin.
        self.canvas = Canvas()
        with self.canvas:
            # A stencil buffer: Kivy draws a half-transparent wide Line (a disabled
            # button's border or icon) through the stencil; without one it fills a box.
            self._fbo = Fbo(size=(1, 1), with_stencilbuffer=True)
            Color(1, 1, 1, 1)
            Callback(blend_off)
            self._rect = Rectangle(texture=self._fbo.texture)
            Callback(blend_on)
        with self._fbo:
            self._clear_color = ClearColor(*theme.bg)
            ClearBuffers()
            self._shift = Translate(0, 0)
        super().__init__(**kwargs)
        if "cache_color" not in kwargs:  # the screen's background, in the theme in force
            self.cache_color = theme.bg
            theme.fbind("bg", self._follow_theme)
        self.fbind("pos", self._place)
        self.fbind("size", self._place)
        self.fbind("cache_color", self._place)
        self._place()

    def _follow_theme(self, *_: Any) -> None:
        self.cache_color = theme.bg

    def add_widget(self, widget: Widget, *args: Any, **kwargs: Any) -> None:
        canvas = self.canvas
        self.canvas = self._fbo
        try:
            super().add_widget(widget, *args, **kwargs)
        finally:
            self.canvas = canvas

    def remove_widget(self, widget: Widget, *args: Any, **kwargs: Any) -> None:
        canvas = self.canvas
        self.canvas = self._fbo
        try:
            super().remove_widget(widget, *args, **kwargs)
        finally:
            self.canvas = canvas

    def _place(self, *_: Any) -> None:
        size = (max(1, round(self.width)), max(1, round(self.height)))
        if self._fbo.size != size:
            self._fbo.size = size  # a new texture (the Fbo redraws into it)
            texture = self._fbo.texture
            texture.mag_filter = texture.min_filter = "nearest"
            self._rect.texture = texture
        self._rect.pos, self._rect.size = (round(self.x), round(self.y)), size
        self._shift.xy = (-self.x, -self.y)
        self._clear_color.rgba = self.cache_color


def blend_off(*_: Any) -> None:
    """For a ``Callback`` before an opaque texture: no blending (nothing to read behind it)."""
    glDisable(GL_BLEND)


def blend_on(*_: Any) -> None:
    """For a ``Callback`` after it: Kivy draws everything else blended."""
    glEnable(GL_BLEND)
