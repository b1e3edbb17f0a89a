"""Layout checks on a screen as drawn: touch targets big enough, no label text spilling out.

``layout_problems(screen, dpi)`` walks the widgets that are shown (opacity above
zero up the tree, not disabled, not zero-sized) and reports, in words a
designer can act on:

- a touch target (anything with Kivy's ``ButtonBehavior``) smaller than
  ``MIN_TOUCH_MM`` millimetres on either side at ``dpi`` dots per inch;
- a label whose text is larger than the label (the text is cut or overlaps
  its neighbours), or a label that sticks out of its parent.

Used by ``kiosk tour --check`` (every screen, both languages, each size) and so
by the tests.  Widgets inside a scrolling view are checked for their own size
only: being outside the visible part of a list is what scrolling is for.
"""

from __future__ import annotations

from collections.abc import Iterator

from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

MIN_TOUCH_MM = 9.0
SLACK_PX = 1.5  # rounding of layouts and of text metrics


def min_touch_px(dpi: float) -> float:
    return dpi / 25.4 * MIN_TOUCH_MM


def _shown(widget: Widget) -> Iterator[tuple[Widget, bool]]:
    """(widget, inside a scrolling view) for each widget drawn on screen, depth first."""

    def visit(node: Widget, scrolled: bool) -> Iterator[tuple[Widget, bool]]:
        if node.opacity <= 0.01 or node.width <= 0 or node.height <= 0:
            return
        yield node, scrolled
        inner = scrolled or isinstance(node, ScrollView)
        for child in node.children:
            yield from visit(child, inner)

    yield from visit(widget, False)


def _id_names(root: Widget) -> dict[int, str]:
    """kv ``id`` of each widget that has one (for readable reports), computed once."""
    names: dict[int, str] = {}

    def visit(node: Widget) -> None:
        for key, value in getattr(node, "ids", {}).items():
            names.setdefault(id(getattr(value, "__self__", value)), key)
        for child in node.children:
            visit(child)

    visit(root)
    return names


def _name(widget: Widget, names: dict[int, str]) -> str:
    ident = names.get(id(widget), "")
    text = getattr(widget, "text", "") or ""
    label = f" {text[:30]!r}" if isinstance(text, str) and text else ""
    return f"{type(widget).__name__}{'#' + ident if ident else ''}{label}"


def layout_problems(root: Widget, dpi: float) -> list[str]:
    """Everything too small to touch or overflowing under ``root``, as sentences."""
    problems = []
    minimum = min_touch_px(dpi)
    names = _id_names(root)
    for widget, scrolled in _shown(root):
        if isinstance(widget, ButtonBehavior) and not widget.disabled:
            side = min(widget.width, widget.height)
            if side + SLACK_PX < minimum:
                problems.append(
                    f"{_name(widget, names)}: touch target "
                    f"{widget.width:.0f}x{widget.height:.0f} px, "
                    f"under {MIN_TOUCH_MM:g} mm ({minimum:.0f} px at {dpi:g} dpi)")
        if isinstance(widget, Label) and widget.text:
            problems.extend(_label_problems(widget, scrolled, names))
    return problems


def _label_problems(label: Label, scrolled: bool, names: dict[int, str]) -> list[str]:
    found = []
    text_w, text_h = label.texture_size
    if text_w > label.width + SLACK_PX or text_h > label.height + SLACK_PX:
        found.append(f"{_name(label, names)}: text {text_w:.0f}x{text_h:.0f} px in a "
                     f"{label.width:.0f}x{label.height:.0f} px label")
    parent = label.parent
    if not scrolled and parent is not None and not isinstance(parent, ScrollView):
        # The label's pos is in its parent's own coordinates: (0, 0) is the parent's
        # corner for a relative layout (screens among them), its pos otherwise.
        px, py = (0, 0) if isinstance(parent, RelativeLayout) else parent.pos
        x, y = label.pos
        if (x + SLACK_PX < px or y + SLACK_PX < py
                or x + label.width > px + parent.width + SLACK_PX
                or y + label.height > py + parent.height + SLACK_PX):
            found.append(f"{_name(label, names)}: sticks out of its {type(parent).__name__}")
    return found
