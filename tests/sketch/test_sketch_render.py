"""render_png: size, where the ink goes, caps and joins, photo, determinism, bounded cost."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from sketch.editor import DrawingEditor, Tool
from sketch.model import Drawing, Stroke
from sketch.render import INK_BUDGET, plan_render, render_image, render_png

WHITE, RED, BLUE, GREEN = (255, 255, 255), (255, 0, 0), (0, 0, 255), (0, 160, 0)


def drawing(*strokes: Stroke, size: tuple[int, int] = (200, 100)) -> Drawing:
    return Drawing(size[0], size[1], strokes)


def hline(y: float = 50, width: float = 10, color: str = "#ff0000") -> Stroke:
    """A horizontal stroke from x=40 to x=160."""
    return Stroke(color, width, ((40.0, y), (100.0, y), (160.0, y)))


def column(image: Image.Image, x: int) -> list[tuple[int, int, int]]:
    return [image.getpixel((x, y)) for y in range(image.height)]


def test_output_is_a_png_of_the_canvas_size(decode):
    image = decode(render_png(drawing(hline(), size=(320, 240))))
    assert image.size == (320, 240)


def test_scale_sets_the_output_size(decode):
    assert decode(render_png(drawing(hline()), scale=2.5)).size == (500, 250)


def test_stroke_pixels_have_the_stroke_colour(decode):
    image = decode(render_png(drawing(hline())))
    assert image.getpixel((100, 50)) == RED
    assert image.getpixel((45, 47)) == RED


def test_background_everywhere_else(decode):
    image = decode(render_png(drawing(hline()), background="#00a000"))
    assert image.getpixel((100, 20)) == GREEN
    assert image.getpixel((5, 50)) == GREEN
    assert image.getpixel((199, 99)) == GREEN


def test_stroke_covers_exactly_its_width(decode):
    # Canvas y is continuous: a 10-wide stroke on y=50 covers rows 45..54.
    coloured = [y for y, pixel in enumerate(column(decode(render_png(drawing(hline()))), 100))
                if pixel == RED]
    assert coloured == list(range(45, 55))


def test_width_scales_with_scale(decode):
    image = decode(render_png(drawing(hline()), scale=2))
    coloured = [y for y, pixel in enumerate(column(image, 200)) if pixel == RED]
    assert coloured == list(range(90, 110))


def diagonal() -> Stroke:
    return Stroke("#ff0000", 6, ((20.0, 10.0), (180.0, 90.0)))


def test_edges_are_antialiased(decode):
    colors = {color for _, color in decode(render_png(drawing(diagonal()))).getcolors()}
    assert RED in colors and WHITE in colors
    assert len(colors) >= 5  # blends of red and white at the edges


def test_without_supersampling_there_are_only_two_colours(decode):
    image = decode(render_png(drawing(diagonal()), supersample=1))
    assert {color for _, color in image.getcolors()} == {RED, WHITE}


def test_caps_are_round(decode):
    image = decode(render_png(drawing(hline(width=20))))
    assert image.getpixel((168, 50)) == RED  # past the end, inside the cap
    assert image.getpixel((168, 41)) == WHITE  # a square cap would be red there


def test_joins_are_round(decode):
    # A right-angle turn at (100, 50): the outer corner is filled by a quarter disc,
    # not square (a miter) and not left open (no join).
    corner = Stroke("#ff0000", 20, ((40.0, 50.0), (100.0, 50.0), (100.0, 90.0)))
    image = decode(render_png(drawing(corner)))
    assert image.getpixel((106, 44)) == RED  # in the quarter disc
    assert image.getpixel((109, 41)) == WHITE  # in a miter's corner only


def test_a_one_point_stroke_is_a_dot(decode):
    image = decode(render_png(drawing(Stroke("#0000ff", 12, ((50.0, 50.0),)))))
    assert image.getpixel((50, 50)) == BLUE and image.getpixel((54, 50)) == BLUE
    assert image.getpixel((58, 50)) == WHITE and image.getpixel((54, 54)) == WHITE


def test_a_later_stroke_covers_an_earlier_one(decode):
    image = decode(render_png(drawing(hline(), hline(color="#0000ff"))))
    assert image.getpixel((100, 50)) == BLUE


def test_the_eraser_paints_the_background(decode):
    editor = DrawingEditor(200, 100, background="#fafafa")
    editor.begin_stroke(1, (20, 50), "#ff0000", 10)
    editor.add_point(1, (180, 50))
    editor.end_stroke(1)
    editor.tool = Tool.ERASER
    editor.begin_stroke(2, (100, 0), "#ff0000", 20)
    editor.add_point(2, (100, 100))
    editor.end_stroke(2)
    image = decode(render_png(editor.drawing, background=editor.background))
    assert image.getpixel((100, 50)) == (250, 250, 250)
    assert image.getpixel((40, 50)) == RED


def test_a_base_photo_shows_through(decode, make_photo):
    photo = make_photo((200, 100), "#0000ff", fmt="PNG")
    image = decode(render_png(drawing(hline()), base_image=photo))
    assert image.getpixel((100, 20)) == BLUE
    assert image.getpixel((100, 50)) == RED


def test_a_jpeg_photo_shows_through(decode, make_photo):
    image = decode(render_png(drawing(hline()), base_image=make_photo((400, 200))))
    assert all(abs(a - b) <= 3 for a, b in zip(image.getpixel((100, 20)), BLUE, strict=True))


def test_a_photo_of_another_shape_is_fitted_and_centred(decode, make_photo):
    photo = make_photo((100, 100), "#0000ff", fmt="PNG")
    image = decode(render_png(drawing(), base_image=photo, background="#00a000"))
    assert [image.getpixel((x, 50)) for x in (10, 60, 100, 140, 190)] == [
        GREEN, BLUE, BLUE, BLUE, GREEN]


def test_a_transparent_png_photo_shows_the_background_through(decode):
    buffer = io.BytesIO()
    Image.new("RGBA", (200, 100), (0, 0, 255, 0)).save(buffer, "PNG")
    image = decode(render_png(drawing(), base_image=buffer.getvalue(), background="#00a000"))
    assert image.getpixel((100, 50)) == GREEN


def test_the_photo_exif_orientation_is_applied(decode, make_photo):
    # Stored landscape, left half red; orientation 6 = turn a quarter clockwise to show.
    photo = make_photo((200, 100), "#ff0000", right="#0000ff", orientation=6)
    image = decode(render_png(drawing(size=(100, 200)), base_image=photo))
    top, bottom = image.getpixel((50, 20)), image.getpixel((50, 180))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


def test_an_unreadable_photo_is_a_value_error():
    with pytest.raises(ValueError, match="not a readable JPEG or PNG"):
        render_png(drawing(hline()), base_image=b"not an image")


def test_a_truncated_photo_is_a_value_error(make_photo):
    with pytest.raises(ValueError, match="not a readable JPEG or PNG"):
        render_png(drawing(hline()), base_image=make_photo((400, 200))[:300])


def test_a_gif_photo_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ValueError, match="GIF, not JPEG or PNG"):
        render_png(drawing(hline()), base_image=buffer.getvalue())


def test_same_input_gives_the_same_bytes():
    strokes = [hline(y=y, width=w, color=c) for y, w, c in
               [(20, 3, "#123456"), (50, 17.5, "#ff0000"), (70, 1, "#00ff00")]]
    assert render_png(drawing(*strokes)) == render_png(drawing(*strokes))


def test_an_empty_drawing_is_all_background(decode):
    image = decode(render_png(drawing(), background="#00a000"))
    assert image.getcolors() == [(200 * 100, GREEN)]


def test_arbitrary_colours_come_out_exactly(decode):
    colors = ["#123456", "#fedcba", "#7f7f80", "#010203", "#fffffe", "#808080"]
    strokes = [hline(y=10 + 15 * i, width=8, color=c) for i, c in enumerate(colors)]
    image = decode(render_png(drawing(*strokes)))
    for i, color in enumerate(colors):
        expected = tuple(int(color[k:k + 2], 16) for k in (1, 3, 5))
        assert image.getpixel((100, 10 + 15 * i)) == expected


def test_many_colours_still_render_exactly(decode):
    colors = [f"#{i * 3:02x}00ff" for i in range(80)]  # too many for a palette PNG
    strokes = [Stroke(color, 2, ((i * 2.0 + 1, 0.0), (i * 2.0 + 1, 99.0)))
               for i, color in enumerate(colors)]
    image = decode(render_png(drawing(*strokes, size=(160, 100))))
    assert image.getpixel((1, 50)) == (0, 0, 255)
    assert image.getpixel((159, 50)) == (237, 0, 255)


def test_render_image_gives_the_rgb_image_render_png_encodes(decode):
    image = render_image(drawing(hline()))
    assert image.mode == "RGB"
    assert image.getpixel((100, 50)) == decode(render_png(drawing(hline()))).getpixel((100, 50))


def test_100000_points_render(decode):
    rng = random.Random(5)
    strokes = []
    for s in range(20):
        x, y, points = 640.0, 400.0, []
        for _ in range(5000):
            x = min(max(x + rng.uniform(-3, 3), 0), 1280)
            y = min(max(y + rng.uniform(-3, 3), 0), 800)
            points.append((x, y))
        strokes.append(Stroke(f"#{s * 99991:06x}", 6, points))
    assert decode(render_png(drawing(*strokes, size=(1280, 800)))).size == (1280, 800)


def test_a_drawing_over_the_ink_budget_is_painted_at_a_lower_resolution():
    rng = random.Random(7)
    points = [(rng.uniform(0, 4096), rng.uniform(0, 4096)) for _ in range(5000)]
    plan = plan_render(drawing(Stroke("#000000", 100, points), size=(4096, 4096)))
    assert plan.degraded and plan.size == (4096, 4096)
    assert plan.device_size[0] < 4096 and plan.supersample == 1


def test_a_drawing_over_the_ink_budget_still_renders(decode, monkeypatch):
    monkeypatch.setattr("sketch.render.INK_BUDGET", INK_BUDGET // 100)
    rng = random.Random(7)
    points = [(rng.uniform(0, 400), rng.uniform(0, 400)) for _ in range(5000)]
    image = decode(render_png(drawing(Stroke("#000000", 100, points), size=(400, 400))))
    assert image.size == (400, 400)


def test_a_typical_drawing_keeps_full_quality():
    plan = plan_render(drawing(hline(), size=(800, 480)))
    assert not plan.degraded and plan.supersample == 2 and plan.device_size == (1600, 960)


def test_a_big_canvas_is_not_supersampled_past_the_memory_cap():
    plan = plan_render(drawing(hline(), size=(4096, 4096)))
    assert plan.supersample == 1 and plan.device_size == (4096, 4096)


@pytest.mark.parametrize("options", [
    {"scale": 0}, {"scale": float("inf")}, {"scale": 30}, {"supersample": 0},
    {"supersample": 5}, {"background": "white"},
])
def test_bad_options_are_value_errors(options):
    with pytest.raises(ValueError):
        render_png(drawing(hline()), **options)


def test_a_non_drawing_is_a_type_error():
    with pytest.raises(TypeError):
        render_png({"width": 1, "height": 1, "strokes": []})  # type: ignore[arg-type]
