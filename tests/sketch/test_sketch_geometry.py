"""Normalised, y-up (Kivy) points <-> canvas, y-down (wire) points."""

from __future__ import annotations

import pytest

from sketch.geometry import (
    point_to_canvas,
    point_to_normalised,
    points_to_canvas,
    points_to_normalised,
)


def test_normalised_bottom_left_is_the_canvas_bottom_left():
    assert point_to_canvas((0.0, 0.0), 800, 480) == (0.0, 480.0)


def test_normalised_top_right_is_the_canvas_top_right():
    assert point_to_canvas((1.0, 1.0), 800, 480) == (800.0, 0.0)


def test_y_flips_and_x_does_not():
    assert point_to_canvas((0.25, 0.75), 800, 400) == (200.0, 100.0)


def test_canvas_to_normalised_is_the_inverse():
    for point in [(0.0, 0.0), (0.1, 0.9), (0.5, 0.5), (1.0, 0.3), (-0.1, 1.2)]:
        back = point_to_normalised(point_to_canvas(point, 1280, 800), 1280, 800)
        assert back == pytest.approx(point)


def test_canvas_top_left_is_normalised_top_left():
    assert point_to_normalised((0.0, 0.0), 800, 480) == (0.0, 1.0)


def test_stroke_helpers_convert_every_point():
    normalised = ((0.0, 0.0), (0.5, 1.0))
    canvas = points_to_canvas(normalised, 100, 50)
    assert canvas == ((0.0, 50.0), (50.0, 0.0))
    assert points_to_normalised(canvas, 100, 50) == normalised
