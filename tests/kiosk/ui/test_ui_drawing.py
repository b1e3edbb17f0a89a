"""The drawing screen in the real app at 800x480: strokes from Kivy touches, tools, history,
Done/Cancel back to compose, the session end, a drawing pushed to its limits, the pixels.

Touches are ``kivy.tests.common.UnitTestTouch`` events dispatched through the window,
as a finger's would be; positions are given as fractions of the paper (y up).
"""

from __future__ import annotations

import io
import math
import random
from typing import Any

import pytest

RED = "#dc2626"


# -- helpers ------------------------------------------------------------------------------

def _drawing_screen(app: Any, badge: str, background: bytes | None = None) -> Any:
    """Badge in, compose, then the drawing screen, ready to draw."""
    app.present(badge)
    app.wait_for_screen("welcome")
    app.router.compose_new()
    app.wait_for_screen("compose")
    app.router.open_drawing(background)
    app.wait_for_screen("drawing")
    screen = app.screen("drawing")
    app.wait_until(lambda: screen.ids.sketch.ready, 5, "the paper")
    return screen


def _at(screen: Any, fx: float, fy: float) -> tuple[float, float]:
    """Window coordinates of the point (fx, fy) of the paper (fractions, y up)."""
    sketch = screen.ids.sketch
    x, y, width, height = sketch.paper_rect
    return sketch.to_window(x + fx * width, y + fy * height)


class Finger:
    """One finger on the paper: down, moves, up, through the window's dispatch."""

    def __init__(self, screen: Any, fx: float, fy: float) -> None:
        from kivy.tests.common import UnitTestTouch

        self.screen = screen
        self.touch = UnitTestTouch(*_at(screen, fx, fy))
        self.touch.touch_down()

    def move(self, fx: float, fy: float) -> None:
        self.touch.touch_move(*_at(self.screen, fx, fy))

    def up(self) -> None:
        self.touch.touch_up()


def _stroke(app: Any, screen: Any, points: list[tuple[float, float]]) -> None:
    finger = Finger(screen, *points[0])
    for point in points[1:]:
        finger.move(*point)
    finger.up()
    app.pump(0.02)


def _line(start: tuple[float, float], end: tuple[float, float], n: int = 12) -> list:
    return [(start[0] + (end[0] - start[0]) * i / (n - 1),
             start[1] + (end[1] - start[1]) * i / (n - 1)) for i in range(n)]


def _strokes(screen: Any) -> tuple:
    return screen.ids.sketch.drawing.strokes


def _pixel(app: Any, screen: Any, fx: float, fy: float) -> tuple[int, int, int]:
    """The screen's pixel at (fx, fy) of the paper (screenshot rows go down)."""
    image = app.screenshot()
    x, y = _at(screen, fx, fy)
    return image.getpixel((int(x), image.height - 1 - int(y)))


def _jpeg(width: int, height: int, color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _near(color: tuple[int, int, int], expected: tuple[int, int, int], slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(color, expected, strict=True))


# -- drawing ----------------------------------------------------------------------------------

def test_a_stroke_is_recorded_at_the_touched_points(app, demo_badges):
    from sketch.geometry import points_to_normalised

    screen = _drawing_screen(app, demo_badges["en"])
    touched = _line((0.2, 0.3), (0.6, 0.7))
    _stroke(app, screen, touched)
    drawing = screen.ids.sketch.drawing
    (stroke,) = drawing.strokes
    normalised = points_to_normalised(stroke.points, drawing.width, drawing.height)
    assert len(normalised) == len(touched)
    tolerance = 2 / min(drawing.width, drawing.height)  # a pixel, and UnitTestTouch's rounding
    for (x, y), (tx, ty) in zip(normalised, touched, strict=True):
        assert x == pytest.approx(tx, abs=tolerance) and y == pytest.approx(ty, abs=tolerance)


def test_the_canvas_is_the_paper_in_pixels(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    sketch = screen.ids.sketch
    assert sketch.canvas_size == tuple(sketch.paper_rect[2:])
    assert sketch.paper_rect[2] > 500 and sketch.paper_rect[3] > 300  # most of 800x480


def test_a_second_finger_during_a_stroke_adds_nothing(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    first = Finger(screen, 0.1, 0.1)
    first.move(0.2, 0.2)
    second = Finger(screen, 0.8, 0.8)
    second.move(0.7, 0.5)
    second.move(0.6, 0.4)
    second.up()
    first.move(0.3, 0.3)
    first.up()
    app.pump(0.02)
    (stroke,) = _strokes(screen)
    assert len(stroke.points) == 3
    assert max(x for x, _ in stroke.points) < 0.35 * screen.ids.sketch.drawing.width


def test_a_tap_is_a_dot(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    _stroke(app, screen, [(0.5, 0.5)])
    (stroke,) = _strokes(screen)
    assert len(stroke.points) == 1
    assert _near(_pixel(app, screen, 0.5, 0.5), (17, 24, 39))  # the default ink


def test_undo_redo_and_clear(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    _stroke(app, screen, _line((0.1, 0.5), (0.4, 0.5)))
    _stroke(app, screen, _line((0.6, 0.5), (0.9, 0.5)))
    app.tap(screen.ids.undo_button)
    assert len(_strokes(screen)) == 1
    app.tap(screen.ids.redo_button)
    assert len(_strokes(screen)) == 2
    app.tap(screen.ids.clear_button)
    assert _strokes(screen) == ()
    app.tap(screen.ids.undo_button)  # a clear is undone like a stroke
    assert len(_strokes(screen)) == 2


def test_undo_redo_and_clear_are_greyed_when_they_would_do_nothing(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    ids = screen.ids
    assert ids.undo_button.disabled and ids.redo_button.disabled and ids.clear_button.disabled
    assert ids.done_button.disabled  # nothing to send yet
    _stroke(app, screen, _line((0.1, 0.5), (0.4, 0.5)))
    assert not ids.undo_button.disabled and ids.redo_button.disabled
    assert not ids.clear_button.disabled and not ids.done_button.disabled
    app.tap(ids.undo_button)
    assert ids.undo_button.disabled and not ids.redo_button.disabled


def test_greyed_buttons_keep_their_rounded_shape(app, demo_badges):
    # Kivy draws a half-transparent Line through the stencil: the cached bars need one.
    screen = _drawing_screen(app, demo_badges["en"])
    done = screen.ids.done_button
    assert done.disabled
    image = app.screenshot()
    x, y = done.to_window(done.x + 1, done.y + 1)  # outside the rounded corner
    assert _near(image.getpixel((int(x), image.height - 1 - int(y))), (11, 19, 34), 6)
    x, y = done.to_window(done.center_x, done.center_y)  # inside: the dimmed primary
    assert not _near(image.getpixel((int(x), image.height - 1 - int(y))), (11, 19, 34), 6)


def test_undo_shows_the_pixels_of_the_state_before(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    screen.pick_ink(RED)
    _stroke(app, screen, _line((0.1, 0.5), (0.9, 0.5)))
    assert _near(_pixel(app, screen, 0.5, 0.5), (220, 38, 38))
    app.tap(screen.ids.undo_button)
    assert _near(_pixel(app, screen, 0.5, 0.5), (255, 255, 255), 5)
    app.tap(screen.ids.redo_button)
    assert _near(_pixel(app, screen, 0.5, 0.5), (220, 38, 38))


# -- tools ------------------------------------------------------------------------------------

def test_the_chosen_ink_and_width_reach_the_stroke(app, demo_badges):
    from kiosk.ui.screens.drawing import INKS

    screen = _drawing_screen(app, demo_badges["en"])
    app.tap(screen.ids.ink_2)
    app.tap(screen.ids.size_2)
    _stroke(app, screen, _line((0.2, 0.2), (0.5, 0.2)))
    (stroke,) = _strokes(screen)
    assert stroke.color == INKS[2]
    assert stroke.width == screen.pen_width(2) > screen.pen_width(1) > screen.pen_width(0)


def test_the_chosen_tool_is_lit_on_screen(app, demo_badges):
    # The rails are drawn from a cached texture: it must follow a change.
    screen = _drawing_screen(app, demo_badges["en"])

    def tile(widget: Any) -> tuple[int, int, int]:
        image = app.screenshot()
        x, y = widget.to_window(widget.x + 6, widget.center_y)  # inside, beside the disc
        return image.getpixel((int(x), image.height - 1 - int(y)))

    lit = (37, 99, 235)  # theme.primary
    assert tile(screen.ids.ink_0) == lit and tile(screen.ids.ink_2) != lit
    app.tap(screen.ids.ink_2)
    assert tile(screen.ids.ink_2) == lit and tile(screen.ids.ink_0) != lit


def test_the_eraser_paints_the_paper_colour_over_the_ink(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    app.tap(screen.ids.size_2)
    _stroke(app, screen, _line((0.1, 0.5), (0.9, 0.5)))
    app.tap(screen.ids.eraser_button)
    assert screen.ids.eraser_button.selected and not screen.ids.ink_0.selected
    _stroke(app, screen, _line((0.5, 0.1), (0.5, 0.9)))
    assert _strokes(screen)[-1].color == "#ffffff"
    assert _near(_pixel(app, screen, 0.5, 0.5), (255, 255, 255), 5)
    assert _near(_pixel(app, screen, 0.3, 0.5), (17, 24, 39))
    app.tap(screen.ids.ink_1)  # an ink puts the pen back
    assert not screen.ids.eraser_button.selected


def test_a_red_stroke_shows_red_pixels_along_it(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    screen.pick_ink(RED)
    _stroke(app, screen, _line((0.1, 0.2), (0.9, 0.8), 30))
    image = app.screenshot()
    for i in range(1, 10):
        fx, fy = 0.1 + 0.08 * i, 0.2 + 0.06 * i
        x, y = _at(screen, fx, fy)
        assert _near(image.getpixel((int(x), image.height - 1 - int(y))), (220, 38, 38))
    x, y = _at(screen, 0.8, 0.2)  # off the line: paper
    assert image.getpixel((int(x), image.height - 1 - int(y))) == (255, 255, 255)


def test_a_stroke_past_the_paper_edge_is_not_drawn_over_the_tools(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    gap = 1 + 4 / screen.ids.sketch.paper_rect[3]  # 4 px above the paper, below the top bar
    outside = _pixel(app, screen, 0.5, gap)
    finger = Finger(screen, 0.5, 0.5)
    finger.move(0.5, 0.9)
    finger.move(0.5, 1.3)  # over the top bar
    app.pump(0.05)
    assert _pixel(app, screen, 0.5, gap) == outside  # while the finger is down
    finger.up()
    app.pump(0.05)
    assert _pixel(app, screen, 0.5, gap) == outside
    assert _near(_pixel(app, screen, 0.5, 0.99), (17, 24, 39))  # inside, up to the edge


# -- leaving ----------------------------------------------------------------------------------

def test_done_hands_the_drawing_to_compose(app, demo_badges):
    from kiosk.domain.models import DrawingAttachment

    screen = _drawing_screen(app, demo_badges["en"])
    _stroke(app, screen, _line((0.2, 0.2), (0.8, 0.8)))
    drawn = screen.ids.sketch.drawing
    app.tap(screen.ids.done_button)
    app.wait_for_screen("compose")
    attachment = app.screen("compose")._attachment
    assert isinstance(attachment, DrawingAttachment)
    assert attachment.drawing == drawn and attachment.background is None


def test_cancel_goes_back_to_compose_without_attaching(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    compose = app.screen("compose")
    compose.attach(None)
    _stroke(app, screen, _line((0.2, 0.2), (0.8, 0.8)))
    app.tap(screen.ids.cancel_button)
    app.wait_for_screen("compose")
    assert compose._attachment is None


def test_the_screen_speaks_the_workers_language(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["fr"])
    assert screen.ids.done_button.text == "Joindre le dessin"  # says what it does


def test_the_session_end_blanks_the_drawing(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"])
    _stroke(app, screen, _line((0.2, 0.2), (0.8, 0.8)))
    app.router.done()
    app.wait_for_screen("idle")
    sketch = screen.ids.sketch
    assert sketch.drawing is None and sketch.is_empty and not sketch.can_undo
    assert not sketch.ready and sketch.background is None
    screen = _drawing_screen(app, demo_badges["en"])  # the next worker starts blank
    assert _strokes(screen) == ()
    assert _near(_pixel(app, screen, 0.5, 0.5), (255, 255, 255), 5)


# -- limits -----------------------------------------------------------------------------------

def test_a_hundred_thousand_points_fill_the_drawing_with_a_message_and_no_crash(
        app, demo_badges):
    from sketch.model import MAX_STROKES

    screen = _drawing_screen(app, demo_badges["en"])
    sketch = screen.ids.sketch
    rng = random.Random(4)
    for gesture in range(1000):  # 1,000 gestures of 100 points, a frame now and then
        x, y, heading = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0, 6.3)
        finger = Finger(screen, x, y)
        for _ in range(99):
            heading += rng.gauss(0, 0.3)
            x = min(max(x + 0.006 * math.cos(heading), 0.0), 1.0)
            y = min(max(y + 0.01 * math.sin(heading), 0.0), 1.0)
            finger.move(x, y)
        finger.up()
        if gesture % 50 == 0:
            app.pump(0)
    app.pump(0.1)
    assert sketch.is_full and len(_strokes(screen)) == MAX_STROKES
    assert screen.notice_text == "The drawing is full. Undo or clear to draw more."
    assert screen.ids.notice.opacity == 1
    _stroke(app, screen, _line((0.2, 0.2), (0.8, 0.8)))  # refused, quietly
    assert len(_strokes(screen)) == MAX_STROKES
    app.tap(screen.ids.undo_button)  # room again: the message goes
    assert not sketch.is_full and screen.notice_text == ""
    app.screenshot()  # and frames are still drawn


# -- a photo to draw on -----------------------------------------------------------------------

def test_a_photo_is_drawn_on_letterboxed_to_its_aspect(app, demo_badges):
    photo = _jpeg(400, 400, (30, 160, 60))
    screen = _drawing_screen(app, demo_badges["en"], photo)
    sketch = screen.ids.sketch
    _x, _y, width, height = sketch.paper_rect
    assert width == pytest.approx(height, abs=2)  # square like the photo, not the screen
    assert _near(_pixel(app, screen, 0.9, 0.9), (30, 160, 60), 12)
    screen.pick_ink(RED)
    _stroke(app, screen, _line((0.2, 0.5), (0.8, 0.5)))
    assert _near(_pixel(app, screen, 0.5, 0.5), (220, 38, 38))
    app.tap(screen.ids.done_button)
    app.wait_for_screen("compose")
    attachment = app.screen("compose")._attachment
    assert attachment.background == photo
    assert attachment.drawing.width == width and attachment.drawing.height == height


def test_an_unreadable_photo_leaves_blank_paper_and_says_so(app, demo_badges):
    screen = _drawing_screen(app, demo_badges["en"], b"not a photo")
    assert screen.ids.sketch.photo_failed and screen.ids.sketch.background is None
    assert screen.notice_text == "The photo could not be opened: draw on blank paper."
    _stroke(app, screen, _line((0.2, 0.5), (0.8, 0.5)))
    assert len(_strokes(screen)) == 1
