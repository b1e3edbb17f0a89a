"""Pixels and layout of the real app at 800x480 (offscreen OpenGL, frames read in on_flip)."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageStat

MIN_TOUCH_PX = 64


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _region(image: Image.Image, widget: Any) -> Image.Image:
    """The pixels under ``widget`` (window coordinates have y up, images y down)."""
    x, y = widget.to_window(widget.x, widget.y)
    height = image.height
    return image.crop((int(x), int(height - y - widget.height), int(x + widget.width),
                       int(height - y)))


def test_idle_screen_is_drawn_not_blank(app):
    image = app.screenshot()
    assert image.size == (800, 480)
    stat = ImageStat.Stat(image.convert("L"))
    assert stat.stddev[0] > 10  # text and shapes on a background, not one flat colour
    assert len(image.getcolors(1 << 16) or []) > 50


def test_idle_clock_is_large_and_bright(app):
    from kiosk.i18n import format_clock

    idle = app.screen("idle")
    label = idle.ids.clock_label
    assert label.text and len(label.text) == 5 and label.text[2] == ":"
    assert label.texture_size[1] >= 100  # readable from a step away
    crop = _region(app.screenshot(), label).convert("L")
    assert crop.getextrema()[1] > 220  # white digits on the dark background
    assert format_clock  # the same formatter as the punch times


def test_palette_contrast_is_high():
    from kiosk.ui.theme import theme

    assert contrast(theme.text, theme.bg) >= 12
    assert contrast(theme.text_muted, theme.bg) >= 7
    assert contrast(theme.text, theme.surface) >= 10
    assert contrast(theme.text, theme.primary) >= 4.5
    assert contrast(theme.text_dark, theme.clock_in) >= 7
    assert contrast(theme.text_dark, theme.clock_out) >= 7
    assert contrast(theme.text, theme.notice_warn) >= 7
    assert contrast(theme.text, theme.notice_error) >= 7


def test_welcome_shows_the_name_in_pixels(app, demo_badges, demo_names):
    from kiosk.ui.theme import theme

    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    label = app.screen("welcome").ids.name_label
    assert label.text == demo_names["fr"]
    crop = _region(app.screenshot(), label)
    text_rgb = tuple(int(c * 255) for c in theme.text[:3])
    data = crop.convert("RGB").tobytes()
    pixels = (data[i:i + 3] for i in range(0, len(data), 3))
    bright = sum(1 for px in pixels if all(abs(a - b) < 40 for a, b in zip(px, text_rgb,
                                                                           strict=True)))
    assert bright > 200  # the name's glyphs are on screen, in the text colour


def _buttons(screen: Any) -> list[Any]:
    from kiosk.ui.tooling.harness import walk
    from kiosk.ui.widgets.common import KButton

    return [w for w in walk(screen) if isinstance(w, KButton) and w.opacity > 0]


def _assert_fits(screen: Any) -> None:
    from kivy.core.window import Window

    buttons = _buttons(screen)
    assert buttons
    for button in buttons:
        x, y = button.to_window(button.x, button.y)
        assert button.height >= MIN_TOUCH_PX, button.text
        assert button.width >= MIN_TOUCH_PX, button.text
        assert 0 <= x and x + button.width <= Window.width + 0.5, button.text
        assert 0 <= y and y + button.height <= Window.height + 0.5, button.text
        label_width = button.ids.content.width
        assert label_width <= button.width, f"{button.text!r} overflows its button"


def test_buttons_are_big_and_inside_the_screen(app, demo_badges):
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    app.pump(0.2)
    _assert_fits(app.screen("welcome"))
    app.tap(app.screen("welcome").ids.messages_button)
    app.wait_until(lambda: app.screen("inbox").state == "list", 5, "the inbox")
    _assert_fits(app.screen("inbox"))
    app.router.done()
    app.wait_for_screen("idle")
    app.pump(0.15)
    app.present(demo_badges["unknown"])
    app.wait_for_screen("notice")
    app.pump(0.2)
    _assert_fits(app.screen("notice"))


def test_labels_retranslate_when_the_language_switches(app):
    from kiosk.ui.i18n import tr

    prompt = app.screen("idle").ids.prompt_label
    try:
        tr.switch("en")
        app.pump(0.05)
        assert prompt.text == "Present your badge"
        tr.switch("fr")
        app.pump(0.05)
        assert prompt.text == "Présentez votre badge"
    finally:
        tr.switch("fr")


def _window_fills(app: Any) -> list[Any]:
    """Every rectangle drawn at least as large as the window (each costs a software
    renderer as much as the rest of a frame)."""
    from kivy.core.window import Window
    from kivy.graphics import Rectangle, RoundedRectangle
    from kivy.graphics.instructions import InstructionGroup

    found, groups = [], [Window.canvas]
    while groups:
        for instruction in groups.pop().children:
            if isinstance(instruction, InstructionGroup):
                groups.append(instruction)
            elif isinstance(instruction, Rectangle | RoundedRectangle) and \
                    instruction.size[0] >= Window.width and instruction.size[1] >= Window.height:
                found.append(instruction)
    return found


def _inbox(app: Any, badge: str) -> Any:
    app.present(badge)
    app.wait_for_screen("welcome")
    app.router.open_inbox()
    inbox = app.screen("inbox")
    app.wait_until(lambda: inbox.state == "list", 5, "the inbox")
    return inbox


def test_no_screen_paints_a_window_sized_fill_or_a_stencil(app, demo_badges):
    from kivy.graphics.stencil_instructions import StencilPush

    assert _window_fills(app) == []  # the idle screen: the window's clear colour is its bg
    inbox = _inbox(app, demo_badges["fr"])
    app.pump(0.1)
    assert _window_fills(app) == []
    for widget in (app.router.manager, inbox.ids.list_view):
        assert not [i for i in widget.canvas.before.children if isinstance(i, StencilPush)]
    app.router.done()


def test_the_inbox_list_is_clipped_to_its_own_box(app, demo_badges):
    inbox = _inbox(app, demo_badges["fr"])
    app.pump(0.2)
    view = inbox.ids.list_view
    x, y = view.to_window(view.x, view.y)
    assert (view._scissor.x, view._scissor.y) == (int(x), int(y))
    assert (view._scissor.width, view._scissor.height) == (round(view.width),
                                                           round(view.height))
    # Nothing of the rows below the list shows over the buttons under it.
    image = app.screenshot()
    gap = image.crop((int(x), int(image.height - y + 2), int(x + view.width),
                      int(image.height - y + 6)))
    assert len(gap.getcolors(1 << 16) or []) == 1  # the background only
    app.router.done()
