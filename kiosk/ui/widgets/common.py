"""Shared widgets of the design: big buttons, status chips, cards (rules in widgets.kv)."""

from __future__ import annotations

from typing import Any

from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.theme import theme
from kiosk.ui.widgets.icons import Icon  # noqa: F401  (registered for the .kv rules)

BUTTON_STYLES = ("primary", "secondary", "ghost", "in", "out", "light", "warn")


def _mix(color: list[float], other: list[float], amount: float) -> list[float]:
    return [c + (o - c) * amount for c, o in zip(color[:3], other[:3], strict=True)] + [1.0]


class TouchTarget:
    """Mixed in before ``ButtonBehavior``: a target that is not shown (transparent, or of
    no width or height) takes no touch, so it can never swallow one meant for a
    neighbour (a hidden, disabled button would: Kivy gives disabled widgets every
    touch that lands on them)."""

    def on_touch_down(self, touch: Any) -> bool:
        if is_hidden(self):  # type: ignore[arg-type]
            return False
        return super().on_touch_down(touch)  # type: ignore[misc]


def is_hidden(widget: Any) -> bool:
    """Not drawn: transparent, or of no width or height."""
    return widget.opacity <= 0.01 or widget.width <= 0 or widget.height <= 0


class KButton(TouchTarget, ButtonBehavior, AnchorLayout):
    """A large touch button: optional icon, label and a count pill, in one of BUTTON_STYLES."""

    text = StringProperty("")
    icon = StringProperty("")
    style = OptionProperty("secondary", options=BUTTON_STYLES)
    count = NumericProperty(0)
    font_size = NumericProperty(20)
    bg_color = ColorProperty([0, 0, 0, 0])
    fg_color = ColorProperty([1, 1, 1, 1])
    border_color = ColorProperty([0, 0, 0, 0])
    natural_width = NumericProperty(0)  # icon + text + count + padding: use as width

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("style", "state", "disabled"):
            self.fbind(name, self._restyle)
        theme.fbind("u", self._restyle)
        theme.fbind("palette", self._restyle)
        self._restyle()

    def _restyle(self, *_: Any) -> None:
        bg, fg, border = {
            "primary": (theme.primary, theme.text_on_primary, theme.primary),
            "secondary": (theme.surface_hi, theme.text, theme.line_color),
            "ghost": ([0, 0, 0, 0], theme.text, [0, 0, 0, 0]),
            "in": (theme.clock_in, theme.text_dark, theme.clock_in),
            "out": (theme.clock_out, theme.text_dark, theme.clock_out),
            "light": (theme.text_on_notice, theme.picture_bg, theme.text_on_notice),
            "warn": (theme.warn, theme.text_dark, theme.warn),  # asks for attention
        }[self.style]
        if self.state == "down":
            pressed = [1, 1, 1, 1] if self.style in ("primary", "secondary", "ghost") else [0] * 4
            bg = _mix(bg if bg[3] else theme.surface, pressed, 0.18)
        if self.disabled:  # flat and grey, still readable (WCAG AA, both palettes);
            # visibility itself (opacity) is the screen's business
            bg, fg, border = theme.surface, theme.text_muted, theme.line_color
        self.bg_color = bg
        self.fg_color = fg
        self.border_color = border


class StatusChip(BoxLayout):
    """A coloured dot and a short text: the idle screen's reader/storage/network status."""

    text = StringProperty("")
    level = OptionProperty("unknown", options=("ok", "warn", "error", "unknown"))
    dot_color = ColorProperty(theme.text_muted)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        theme.fbind("palette", self.on_level)  # a site's new theme applies on the idle screen

    def on_level(self, *_: Any) -> None:
        self.dot_color = {
            "ok": theme.ok, "warn": theme.warn, "error": theme.error, "unknown": theme.text_muted,
        }[self.level]


class Card(BoxLayout):
    """A rounded surface grouping related content."""

    card_color = ColorProperty(theme.surface)  # (follows the palette: common.kv)
    accent_color = ColorProperty([0, 0, 0, 0])  # a bar on the left edge when set


class Pill(BoxLayout):
    """A small rounded label (unread count, 'acknowledgement required')."""

    text = StringProperty("")
    pill_color = ColorProperty(theme.accent)
    text_color = ColorProperty(theme.text_dark)
    font_size = NumericProperty(16)
    bold = BooleanProperty(True)


CLOSING_WARNING_S = 10  # show the session countdown this many seconds before it ends


class PictureButton(TouchTarget, ButtonBehavior, AnchorLayout):
    """A photo or drawing, letterboxed on a dark panel; ``state_text`` replaces it while
    it loads or when it is missing.  Tapping it opens it full screen."""

    texture = ObjectProperty(None, allownone=True)
    state_text = StringProperty("")


class SessionHeader(BoxLayout):
    """Back, title, subtitle, the worker's name (the countdown near the end), Done."""

    title = StringProperty("")
    subtitle = StringProperty("")
    name_text = StringProperty("")
    session_left = NumericProperty(0)
    closing = BooleanProperty(False)
    __events__ = ("on_back", "on_done")

    def on_session_left(self, *_: Any) -> None:
        self.closing = 0 < self.session_left <= CLOSING_WARNING_S

    def on_back(self) -> None:
        pass

    def on_done(self) -> None:
        pass


class LockedMessages(BoxLayout):
    """Over a message screen while the message cache has no key (the terminal has not
    reached the server since it started): the header, and in big letters that messages
    come back when the terminal is online again. It takes every touch while shown."""

    shown = BooleanProperty(False)
    title = StringProperty("")
    name_text = StringProperty("")
    session_left = NumericProperty(0)
    __events__ = ("on_back", "on_done")

    def on_touch_down(self, touch: Any) -> bool:
        if not self.shown:
            return False
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if not self.shown:
            return False
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if not self.shown:
            return False
        super().on_touch_up(touch)
        return True

    def on_back(self) -> None:
        pass

    def on_done(self) -> None:
        pass


def fill_chips(row: Any, texts: list[str], on_pick: Any) -> None:
    """Replace ``row``'s children by one chip per text (quick replies); ``on_pick(text)``.

    Only the chips that fit the row's width show, in order: a site may set longer
    replies than a small screen has room for, and a chip cut in half cannot be read.
    """
    from kivy.clock import Clock

    from kiosk.ui.widgets.glyphs import drawable

    if not hasattr(row, "chip_refit"):  # once per row: re-fit when the room changes
        row.chip_refit = Clock.create_trigger(lambda *_: _fit_chips(row), -1)
        row.bind(width=row.chip_refit)
    row.all_chips = []
    for text in texts:
        chip = KButton(text=drawable(text), style="secondary", font_size=theme.fs_body)
        chip.size_hint_x = None
        chip.width = chip.natural_width
        chip.bind(natural_width=chip.setter("width"),
                  on_release=lambda _chip, text=text: on_pick(text))
        chip.bind(natural_width=row.chip_refit)
        row.all_chips.append(chip)
    _fit_chips(row)


def _fit_chips(row: Any) -> None:
    row.clear_widgets()
    used = 0.0
    for chip in row.all_chips:
        need = chip.natural_width + (row.spacing if used else 0)
        if used + need > row.width:
            break
        row.add_widget(chip)
        used += need
