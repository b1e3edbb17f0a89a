"""Clipping without the stencil buffer: what the screens draw costs fill rate, not draw calls.

Why: with Mesa's software renderer every pixel a quad covers costs, blended or not
(measured at 1280x800: one full-window rectangle adds about 12 ms to a frame, and an
invisible, opacity-0 one as much). Kivy clips a ``ScreenManager`` and every
``ScrollView`` with the stencil buffer: a rectangle the size of the widget drawn into the
stencil before its children and again after them, and every fragment in between
stencil-tested. For the deck's full-window ``ScreenManager`` (no sliding transition: there
is nothing to clip) that was two full-window fills per frame; for the inbox's list, two
more of half the window.

``ScissorRecycleView`` / ``ScissorScrollView`` clip with the GL scissor box instead: a
rectangle in window coordinates that the rasteriser applies for free. That is exact as
long as nothing rotates or scales the view, which no screen does.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics.context_instructions import BindTexture
from kivy.graphics.scissor_instructions import ScissorPop, ScissorPush
from kivy.graphics.stencil_instructions import StencilPop, StencilPush, StencilUnUse, StencilUse
from kivy.uix.recycleview import RecycleView
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget


def drop_stencil(widget: Widget) -> None:
    """Remove the stencil clip Kivy's style gives ``widget`` (StencilView, ScreenManager):
    from each StencilPush to its StencilUse, from each StencilUnUse to its StencilPop, with
    the rectangle (and its texture binding) drawn into the stencil in between."""
    for canvas in (widget.canvas.before, widget.canvas.after):
        dropping = False
        for instruction in list(canvas.children):
            if isinstance(instruction, StencilPush | StencilUnUse):
                dropping = True
            if dropping and not isinstance(instruction, BindTexture):
                canvas.remove(instruction)  # (a Rectangle takes its BindTexture with it)
            if isinstance(instruction, StencilUse | StencilPop):
                dropping = False


class InstantTransition(NoTransition):
    """A screen change done within the call.

    Kivy's NoTransition removes the old screen only when its zero-length animation ends,
    at the next clock tick: the first frame of every new screen also drew the old one,
    under it (twice the fill rate in the very frame a badge or a tap waits for; and, no
    screen painting a background of its own, the old one would show through)."""

    def start(self, manager: ScreenManager) -> None:
        self.manager = manager
        self.add_screen(self.screen_in)
        self.screen_in.pos = manager.pos
        self.screen_in.dispatch("on_pre_enter")
        self.screen_out.dispatch("on_pre_leave")
        self.is_active = True
        self._on_complete()  # the old screen goes now; on_enter and on_leave follow


class DeckManager(ScreenManager):
    """The deck's ScreenManager, unclipped: it fills the window and switches without a
    transition, so the stencil clip Kivy gives every ScreenManager only cost fill rate."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transition = InstantTransition()

    def on_kv_post(self, base_widget: Any) -> None:  # Kivy's style is applied by now
        super().on_kv_post(base_widget)
        drop_stencil(self)


class _ScissorClip:
    """Clips the view's children to its box with the scissor test (see the module's doc)."""

    def _use_scissor(self: Any) -> None:
        drop_stencil(self)
        self._scissor = ScissorPush(x=0, y=0, width=1, height=1)
        self.canvas.before.insert(0, self._scissor)
        self.canvas.after.insert(0, ScissorPop())
        self._watched: list[Widget] = []
        self.fbind("pos", self._clip)
        self.fbind("size", self._clip)
        self.fbind("parent", self._watch_ancestors)
        self._watch_ancestors()

    def _watch_ancestors(self: Any, *_: Any) -> None:
        # In a RelativeLayout (or a screen), the window position also moves with the
        # ancestors' positions; follow theirs too.
        for widget in self._watched:
            widget.funbind("pos", self._clip)
        self._watched = []
        node = self.parent
        while isinstance(node, Widget):
            node.fbind("pos", self._clip)
            self._watched.append(node)
            node = node.parent
        self._clip()

    def _clip(self: Any, *_: Any) -> None:
        x, y = self.to_window(*self.pos)
        self._scissor.x, self._scissor.y = int(x), int(y)
        self._scissor.width = max(0, round(self.width))
        self._scissor.height = max(0, round(self.height))


# The swap waits for on_kv_post: a view declared in a .kv file gets Kivy's style (and
# its stencil) only after its __init__.
class ScissorRecycleView(_ScissorClip, RecycleView):
    def on_kv_post(self, base_widget: Any) -> None:
        super().on_kv_post(base_widget)
        self._use_scissor()


class ScissorScrollView(_ScissorClip, ScrollView):
    def on_kv_post(self, base_widget: Any) -> None:
        super().on_kv_post(base_widget)
        self._use_scissor()
