"""What a finger and an eye meet on a screen as drawn, beyond sizes (``layout_check``).

``finger_problems(screen, dpi)`` dispatches real Kivy touch events (Kivy's
``UnitTestTouch``, through the window like a finger's) at the centre of every
enabled touch target and at its corners inset by ``CORNER_INSET_MM``, and reports
a touch that another widget took (a hidden or zero-size widget swallowing it
among them).  It also reports a target not fully on the window, and two targets
that overlap.  Each probe is taken back at once (the target's press is undone
and the finger's up reaches no button), so nothing is activated.  Scrolling views are told not to
scroll while probing (Kivy then hands a touch straight to their content), and
inside them only the visible part of a target is probed.

``text_problems(screen, lang, image)``: a label cut with "…" (unless it carries
``may_shorten: True``: message previews in lists), a path, a Python exception
name, or, in a French session, English text from the catalogs; and text whose
contrast with the background under it (read from ``image``, the screenshot) is
below WCAG AA (4.5:1, 3:1 for large text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.ui.tooling.layout_check import SLACK_PX, _id_names, _name, _shown

CORNER_INSET_MM = 2.0
Rect = tuple[float, float, float, float]  # x, y, right, top in window coordinates

_PATH = re.compile(r"(?:^|[\s(])(?:/[\w.-]+){2,}|[A-Za-z]:\\")
_EXCEPTION = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b|Traceback")
LARGE_TEXT_PX = 24.0  # WCAG "large": 18 pt, or 14 pt bold (18.66 px)
LARGE_BOLD_PX = 18.66


def window_rect(widget: Widget) -> Rect:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def _clip(a: Rect, b: Rect) -> Rect | None:
    rect = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return rect if rect[2] - rect[0] > SLACK_PX and rect[3] - rect[1] > SLACK_PX else None


def _visible_rect(widget: Widget) -> Rect | None:
    """The part of ``widget`` not scrolled out of view (None: none of it)."""
    rect: Rect | None = window_rect(widget)
    node = widget.parent
    while node is not None and rect is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            rect = _clip(rect, window_rect(node))
        node = node.parent
    return rect


def targets(root: Widget) -> Iterator[tuple[Widget, bool]]:
    """(target, inside a scrolling view) for every enabled touch target shown."""
    for widget, scrolled in _shown(root):
        if isinstance(widget, ButtonBehavior) and not widget.disabled:
            yield widget, scrolled


def finger_problems(root: Widget, dpi: float) -> list[str]:
    names = _id_names(root)
    screen_rect: Rect = (0.0, 0.0, float(Window.width), float(Window.height))
    inset = dpi / 25.4 * CORNER_INSET_MM
    problems: list[str] = []
    found = list(targets(root))
    shown: list[tuple[Widget, Rect]] = []
    for widget, scrolled in found:
        rect = window_rect(widget)
        if not scrolled and _clip(rect, screen_rect) != rect and (
                rect[0] < -SLACK_PX or rect[1] < -SLACK_PX
                or rect[2] > screen_rect[2] + SLACK_PX or rect[3] > screen_rect[3] + SLACK_PX):
            problems.append(f"{_name(widget, names)}: not fully on screen "
                            f"({rect[0]:.0f},{rect[1]:.0f} to {rect[2]:.0f},{rect[3]:.0f})")
        visible = _visible_rect(widget) if scrolled else _clip(rect, screen_rect)
        if visible is not None:
            shown.append((widget, visible))
    problems += _overlaps(shown, names)
    with _no_scrolling(root):
        for widget, visible in shown:
            problems += _probe(widget, visible, inset, names)
    return problems


def _overlaps(shown: list[tuple[Widget, Rect]], names: dict[int, str]) -> list[str]:
    problems = []
    for i, (a, ra) in enumerate(shown):
        for b, rb in shown[i + 1:]:
            if _related(a, b):
                continue
            if _clip(ra, rb) is not None:
                problems.append(f"{_name(a, names)} and {_name(b, names)} overlap")
    return problems


def _related(a: Widget, b: Widget) -> bool:
    def ancestors(w: Widget) -> Iterator[Widget]:
        while w is not None and w.parent is not w:
            yield w
            w = w.parent

    return a in ancestors(b) or b in ancestors(a)


class _no_scrolling:
    """Scrolling views hand touches straight to their content while probing."""

    def __init__(self, root: Widget) -> None:
        self._views = [w for w, _ in _shown(root) if isinstance(w, ScrollView)]
        self._saved: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        for view in self._views:
            self._saved.append((view.do_scroll_x, view.do_scroll_y))
            view.do_scroll_x = view.do_scroll_y = False

    def __exit__(self, *_: Any) -> None:
        for view, (x, y) in zip(self._views, self._saved, strict=True):
            view.do_scroll_x, view.do_scroll_y = x, y


def _points(rect: Rect, inset: float) -> list[tuple[str, float, float]]:
    x, y, right, top = rect
    dx, dy = min(inset, (right - x) / 2), min(inset, (top - y) / 2)
    return [("centre", (x + right) / 2, (y + top) / 2),
            ("lower left", x + dx, y + dy), ("lower right", right - dx, y + dy),
            ("upper left", x + dx, top - dy), ("upper right", right - dx, top - dy)]


def _probe(target: Widget, rect: Rect, inset: float, names: dict[int, str]) -> list[str]:
    """A finger down at each point of ``target``: who took it?  Undone at once."""
    from kivy.tests.common import UnitTestTouch  # imports pytest: only when checking

    problems = []
    for where, x, y in _points(rect, inset):
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        grabbed = [w() for w in touch.grab_list]
        grabbed = [w for w in grabbed if w is not None]
        for widget in grabbed:  # take the press back: the finger's up reaches no button
            if isinstance(widget, ButtonBehavior):
                touch.ungrab(widget)
                widget.state = "normal"
        touch.touch_up()  # (a scrolling view that took it lets it go)
        takers = [w for w in grabbed if not isinstance(w, ScrollView)]
        if target in takers or any(_related(target, w) and w in _descendants(target)
                                   for w in takers):
            continue
        taker = _name(takers[0], names) if takers else _swallower(x, y, target, names)
        problems.append(f"{_name(target, names)}: a touch at its {where} "
                        f"({x:.0f},{y:.0f}) went to {taker}")
    return problems


def _descendants(widget: Widget) -> Iterator[Widget]:
    for child in widget.children:
        yield child
        yield from _descendants(child)


def _swallower(x: float, y: float, target: Widget, names: dict[int, str]) -> str:
    """Who took a touch without grabbing it: a disabled widget over the point, most likely."""
    root = target.get_root_window()
    suspects = [w for w in _descendants(root) if w is not target and w.disabled
                and not _related(w, target) and _contains(window_rect(w), x, y)]
    if suspects:
        return f"{_name(suspects[-1], names)} (disabled or hidden, it still takes touches)"
    return "nothing that reacts (taken before it reached the target)"


def _contains(rect: Rect, x: float, y: float) -> bool:
    return rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]


# Text ------------------------------------------------------------------------------------


@cache
def _english_patterns() -> tuple[re.Pattern[str], ...]:
    """The catalog's English texts that French translates differently, as patterns."""
    from kiosk.i18n import translator

    catalog = getattr(translator("fr"), "_catalog", {})
    patterns = []
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or not msgid or msgid == msgstr or len(msgid) < 4:
            continue
        parts = re.split(r"\{[^}]*\}", msgid)
        patterns.append(re.compile("^" + "(.+)".join(re.escape(p) for p in parts) + "$"))
    return tuple(patterns)


def _shown_labels(root: Widget) -> Iterator[tuple[Label, float]]:
    """(label, opacity as drawn) of every label with text on screen."""
    def visit(node: Widget, alpha: float) -> Iterator[tuple[Label, float]]:
        alpha *= node.opacity
        if alpha <= 0.01 or node.width <= 0 or node.height <= 0:
            return
        if isinstance(node, Label) and node.text.strip():
            yield node, alpha
        for child in node.children:
            yield from visit(child, alpha)

    yield from visit(root, 1.0)


def text_problems(root: Widget, lang: str, image: Any | None = None,
                  worker_screen: bool = True) -> list[str]:
    names = _id_names(root)
    problems = []
    english = _english_patterns() if lang == "fr" else ()
    for label, alpha in _shown_labels(root):
        text = label.text
        name = _name(label, names)
        if _shortened(label) and not getattr(label, "may_shorten", False):
            problems.append(f"{name}: text cut with '…'")
        if worker_screen and (_PATH.search(text) or _EXCEPTION.search(text)):
            problems.append(f"{name}: technical text on a worker screen")
        if english and any(p.match(text) for p in english):
            problems.append(f"{name}: English in a French session")
        if image is not None and _visible_rect(label) is not None:
            ratio, needed = _contrast(label, alpha, image)
            if ratio is not None and ratio + 0.05 < needed:
                problems.append(f"{name}: contrast {ratio:.1f}:1, under {needed:g}:1")
    return problems


def _shortened(label: Label) -> bool:
    if not label.shorten or label.text_size[0] is None or not label.text:
        return False
    core = getattr(label, "_label", None)
    if core is None:
        return False
    width = core.get_extents(label.text)[0]
    return width > label.text_size[0] - label.padding[0] - label.padding[2] + SLACK_PX


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _contrast(label: Label, alpha: float, image: Any) -> tuple[float | None, float]:
    """The label's text colour over the commonest colour under it, and the ratio needed."""
    large = label.font_size >= LARGE_TEXT_PX or (label.bold and label.font_size >= LARGE_BOLD_PX)
    needed = 3.0 if large else 4.5
    rect = _visible_rect(label)
    tw, th = label.texture_size
    if rect is None or tw <= 0 or th <= 0:
        return None, needed
    # The text's own box (a label is often wider than its text).
    cx, cy = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
    box = _clip(rect, (cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2)) or rect
    height = image.size[1]
    crop = image.crop((int(box[0]), int(height - box[3]), int(box[2]), int(height - box[1])))
    if crop.size[0] <= 0 or crop.size[1] <= 0:
        return None, needed
    colours = crop.getcolors(maxcolors=crop.size[0] * crop.size[1])
    background = max(colours)[1]  # (count, colour): the commonest
    bg = tuple(c / 255 for c in background[:3])
    # Kivy draws a disabled label in its ``disabled_color`` (30 % white by default).
    r, g, b, a = label.disabled_color if label.disabled else label.color
    a *= alpha
    fg = tuple(c * a + k * (1 - a) for c, k in zip((r, g, b), bg, strict=True))
    return contrast_ratio(fg, bg), needed  # type: ignore[arg-type]
