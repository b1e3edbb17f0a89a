"""DrawingEditor: one finger draws, decimation, splitting, caps, undo/redo/clear, eraser."""

from __future__ import annotations

import pytest

from server.protocol import push
from sketch.editor import DrawingEditor, Edit, Tool
from sketch.model import (
    MAX_DRAWING_POINTS,
    MAX_STROKE_POINTS,
    MAX_STROKES,
    DrawingError,
    Stroke,
)

RED, BLUE = "#ff0000", "#0000ff"


def draw(editor: DrawingEditor, touch: int, points: list[tuple[float, float]],
         color: str = RED, width: float = 4.0) -> None:
    editor.begin_stroke(touch, points[0], color, width)
    for point in points[1:]:
        editor.add_point(touch, point)
    editor.end_stroke(touch)


def line(n: int, y: float = 10.0, step: float = 2.0) -> list[tuple[float, float]]:
    return [(i * step, y) for i in range(n)]


def full_editor(strokes: int = MAX_STROKES) -> DrawingEditor:
    dot = Stroke(RED, 2.0, ((1.0, 1.0),))
    return DrawingEditor(800, 480, strokes=[dot] * strokes)


@pytest.fixture
def editor() -> DrawingEditor:
    return DrawingEditor(800, 480)


def test_a_stroke_is_committed_on_touch_up(editor):
    assert editor.begin_stroke(1, (10, 10), RED, 4) is Edit.STARTED
    assert editor.add_point(1, (20, 10)) is Edit.DRAWN
    assert editor.end_stroke(1) is Edit.ENDED
    assert editor.strokes == (Stroke(RED, 4, ((10, 10), (20, 10))),)
    assert editor.active_touch is None


def test_second_finger_down_is_ignored_while_the_first_draws(editor):
    editor.begin_stroke(1, (10, 10), RED, 4)
    assert editor.begin_stroke(2, (300, 300), BLUE, 9) is Edit.IGNORED
    assert editor.add_point(2, (310, 300)) is Edit.IGNORED
    editor.add_point(1, (20, 10))
    assert editor.end_stroke(2) is Edit.IGNORED
    editor.end_stroke(1)
    assert editor.strokes == (Stroke(RED, 4, ((10, 10), (20, 10))),)


def test_second_finger_lifting_does_not_end_the_stroke(editor):
    editor.begin_stroke(1, (10, 10), RED, 4)
    editor.begin_stroke(2, (300, 300), BLUE, 9)
    editor.end_stroke(2)
    assert editor.active_touch == 1
    assert editor.add_point(1, (20, 10)) is Edit.DRAWN


def test_another_finger_draws_once_the_first_is_up(editor):
    draw(editor, 1, line(3))
    assert editor.begin_stroke(2, (5, 5), BLUE, 2) is Edit.STARTED


def test_moves_without_a_touch_down_are_ignored(editor):
    assert editor.add_point(7, (1, 1)) is Edit.IGNORED
    assert editor.end_stroke(7) is Edit.IGNORED
    assert editor.is_empty


def test_points_closer_than_one_unit_are_dropped(editor):
    editor.begin_stroke(1, (10, 10), RED, 4)
    assert editor.add_point(1, (10.5, 10.5)) is Edit.SKIPPED
    assert editor.add_point(1, (10.9, 10)) is Edit.SKIPPED
    assert editor.add_point(1, (11, 10)) is Edit.DRAWN
    editor.end_stroke(1)
    assert editor.strokes[0].points == ((10, 10), (11, 10))


def test_points_are_rounded_to_hundredths(editor):
    draw(editor, 1, [(1.23456, 2.34567), (10.0049, 20.0051)])
    assert editor.strokes[0].points == ((1.23, 2.35), (10.0, 20.01))


def test_a_long_stroke_is_split_at_5000_points_and_stays_continuous(editor):
    editor.begin_stroke(1, (0, 0), RED, 4)
    results = [editor.add_point(1, (i * 1.0, float(i % 2) * 3)) for i in range(1, 6000)]
    editor.end_stroke(1)
    assert results.count(Edit.SPLIT) == 1
    first, second = editor.strokes
    assert len(first.points) == MAX_STROKE_POINTS
    assert second.points[0] == first.points[-1]  # no gap at the seam
    assert len(first.points) + len(second.points) == 6000 + 1
    assert first.color == second.color and first.width == second.width


def test_a_split_stroke_is_one_undo_step(editor):
    draw(editor, 1, line(3))
    draw(editor, 2, line(2 * MAX_STROKE_POINTS, step=1.5))
    assert len(editor.strokes) == 4
    editor.undo()
    assert len(editor.strokes) == 1


def test_a_full_drawing_refuses_a_new_stroke_without_raising():
    editor = full_editor()
    assert editor.is_full
    assert editor.begin_stroke(1, (5, 5), RED, 4) is Edit.FULL
    assert editor.active_touch is None and len(editor.strokes) == MAX_STROKES


def test_a_split_past_the_stroke_cap_ends_the_stroke_with_full():
    editor = full_editor(MAX_STROKES - 1)
    editor.begin_stroke(1, (0, 0), RED, 4)
    for i in range(1, MAX_STROKE_POINTS):
        assert editor.add_point(1, (i * 1.0, 0.0)) is Edit.DRAWN
    assert editor.add_point(1, (MAX_STROKE_POINTS * 1.0, 0.0)) is Edit.FULL
    assert editor.add_point(1, (MAX_STROKE_POINTS + 1.0, 0.0)) is Edit.IGNORED
    assert len(editor.strokes) == MAX_STROKES
    assert len(editor.strokes[-1].points) == MAX_STROKE_POINTS  # kept up to the cap


def test_undo_after_full_makes_room_again():
    editor = full_editor()
    assert editor.undo() is False  # the initial strokes are not a step of this session
    editor.clear()
    editor.undo()
    editor.undo()
    assert editor.begin_stroke(1, (5, 5), RED, 4) is Edit.FULL
    editor.redo()
    assert editor.begin_stroke(1, (5, 5), RED, 4) is Edit.STARTED


def points_editor(points: int) -> DrawingEditor:
    """An editor whose strokes already hold ``points`` points in all."""
    strokes = []
    while points > 0:
        n = min(points, MAX_STROKE_POINTS)
        strokes.append(Stroke(RED, 2.0, tuple((float(i % 800), 1.0) for i in range(n))))
        points -= n
    return DrawingEditor(800, 480, strokes=strokes)


def test_the_point_budget_ends_the_stroke_with_full():
    editor = points_editor(MAX_DRAWING_POINTS - 10)
    assert editor.begin_stroke(1, (0, 100), RED, 4) is Edit.STARTED
    for i in range(1, 10):
        assert editor.add_point(1, (i * 2.0, 100.0)) is Edit.DRAWN
    assert editor.add_point(1, (20.0, 100.0)) is Edit.FULL
    assert editor.add_point(1, (22.0, 100.0)) is Edit.IGNORED
    assert editor.point_count == editor.drawing.point_count == MAX_DRAWING_POINTS
    assert len(editor.strokes[-1].points) == 10  # kept up to the budget
    assert editor.is_full
    assert editor.begin_stroke(2, (5, 5), RED, 4) is Edit.FULL


def test_a_split_past_the_point_budget_ends_the_stroke_with_full():
    editor = points_editor(MAX_DRAWING_POINTS - MAX_STROKE_POINTS - 1)
    editor.begin_stroke(1, (0, 100), RED, 4)
    for i in range(1, MAX_STROKE_POINTS):
        assert editor.add_point(1, (float(i), 100.0)) is Edit.DRAWN
    # One point of room left, and a split needs two: full, not one point over.
    assert editor.add_point(1, (float(MAX_STROKE_POINTS), 100.0)) is Edit.FULL
    assert editor.point_count == MAX_DRAWING_POINTS - 1
    assert editor.is_full


def test_a_new_stroke_needs_room_for_a_line_not_just_a_dot():
    assert points_editor(MAX_DRAWING_POINTS - 1).begin_stroke(1, (5, 5), RED, 4) is Edit.FULL
    assert points_editor(MAX_DRAWING_POINTS - 2).begin_stroke(1, (5, 5), RED, 4) is Edit.STARTED


def test_undo_after_the_point_budget_makes_room_again():
    editor = points_editor(MAX_DRAWING_POINTS - 3)
    draw(editor, 1, line(3))
    assert editor.is_full
    assert editor.undo() is True
    assert not editor.is_full
    assert editor.begin_stroke(1, (5, 5), RED, 4) is Edit.STARTED


def test_undo_removes_the_last_stroke(editor):
    draw(editor, 1, line(3, y=1))
    draw(editor, 2, line(3, y=2))
    assert editor.undo() is True
    assert [s.points[0][1] for s in editor.strokes] == [1]


def test_redo_restores_what_undo_removed(editor):
    draw(editor, 1, line(3, y=1))
    draw(editor, 2, line(3, y=2))
    before = editor.strokes
    editor.undo()
    assert editor.redo() is True
    assert editor.strokes == before


def test_a_new_stroke_after_undo_forgets_the_redo(editor):
    draw(editor, 1, line(3, y=1))
    editor.undo()
    draw(editor, 2, line(3, y=2))
    assert editor.can_redo is False and editor.redo() is False


def test_undo_and_redo_with_no_history_return_false(editor):
    assert editor.undo() is False
    assert editor.redo() is False


def test_clear_removes_every_stroke(editor):
    draw(editor, 1, line(3, y=1))
    draw(editor, 2, line(3, y=2))
    assert editor.clear() is True
    assert editor.strokes == () and editor.is_empty


def test_clear_is_undoable(editor):
    draw(editor, 1, line(3, y=1))
    draw(editor, 2, line(3, y=2))
    before = editor.strokes
    editor.clear()
    assert editor.undo() is True
    assert editor.strokes == before
    assert editor.redo() is True and editor.strokes == ()


def test_clear_on_an_empty_drawing_is_not_a_step(editor):
    assert editor.clear() is False
    assert editor.can_undo is False


def test_undo_during_a_stroke_ends_it_then_undoes_it(editor):
    draw(editor, 1, line(3, y=1))
    editor.begin_stroke(2, (0, 50), RED, 4)
    editor.add_point(2, (10, 50))
    assert editor.undo() is True
    assert len(editor.strokes) == 1 and editor.active_touch is None
    assert editor.add_point(2, (20, 50)) is Edit.IGNORED  # that finger draws no more
    assert editor.redo() is True and len(editor.strokes) == 2


def test_history_keeps_the_last_max_history_steps():
    editor = DrawingEditor(800, 480, max_history=2)
    for touch in range(4):
        draw(editor, touch, line(2, y=touch))
    assert editor.undo() and editor.undo()
    assert editor.undo() is False
    assert len(editor.strokes) == 2


def test_eraser_strokes_take_the_background_colour():
    editor = DrawingEditor(800, 480, background="#FAFAFA")
    editor.tool = Tool.ERASER
    draw(editor, 1, line(3), color=RED, width=20)
    assert editor.strokes[0].color == "#fafafa" and editor.strokes[0].width == 20


def test_pen_after_eraser_uses_the_given_colour(editor):
    editor.tool = Tool.ERASER
    draw(editor, 1, line(3))
    editor.tool = Tool.PEN
    draw(editor, 2, line(3), color=BLUE)
    assert [s.color for s in editor.strokes] == ["#ffffff", BLUE]


def test_the_drawing_includes_the_stroke_in_progress(editor):
    editor.begin_stroke(1, (0, 0), RED, 4)
    editor.add_point(1, (5, 5))
    assert editor.drawing.strokes[-1].points == ((0, 0), (5, 5))
    assert editor.can_undo


def test_a_single_tap_is_a_one_point_stroke(editor):
    draw(editor, 1, [(42, 24)])
    assert editor.strokes[0].points == ((42, 24),)


@pytest.mark.parametrize(("color", "width", "point"), [
    ("red", 4, (1, 1)), (RED, 0, (1, 1)), (RED, 101, (1, 1)), (RED, 4, (float("nan"), 1)),
])
def test_malformed_input_is_a_caller_bug(editor, color, width, point):
    with pytest.raises(DrawingError):
        editor.begin_stroke(1, point, color, width)


def test_editor_output_validates_against_the_server(editor):
    draw(editor, 1, [(0.123456, 479.98765), (799.5, 0.5), (-3.0, 481.0)], width=0.5)
    editor.tool = Tool.ERASER
    draw(editor, 2, line(50), width=100)
    assert push.Drawing.model_validate(editor.drawing.to_wire()).width == 800
