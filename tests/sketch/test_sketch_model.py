"""The drawing value: validation, immutability, wire form, agreement with the server."""

from __future__ import annotations

import dataclasses
import json
import math
import uuid

import pytest
from pydantic import ValidationError

from server.protocol import common, push
from sketch.model import (
    COORD_LIMIT,
    MAX_CANVAS_SIZE,
    MAX_STROKE_POINTS,
    MAX_STROKE_WIDTH,
    MAX_STROKES,
    Drawing,
    DrawingError,
    Stroke,
)


def wire(**changes: object) -> dict:
    drawing = {"width": 800, "height": 480, "strokes": [
        {"color": "#112233", "width": 4.0, "points": [[10.0, 20.0], [30.5, 40.25]]},
        {"color": "#aabbcc", "width": 12.5, "points": [[400.0, 240.0]]},
    ]}
    drawing.update(changes)
    return drawing


def stroke_wire(**changes: object) -> dict:
    stroke = {"color": "#112233", "width": 4.0, "points": [[10.0, 20.0]]}
    stroke.update(changes)
    return stroke


def test_wire_round_trip_gives_an_equal_drawing():
    drawing = Drawing.from_wire(wire())
    assert Drawing.from_wire(drawing.to_wire()) == drawing
    assert drawing.to_wire() == wire()


def test_wire_form_survives_json():
    drawing = Drawing.from_wire(wire())
    assert Drawing.from_wire(json.loads(json.dumps(drawing.to_wire()))) == drawing


def test_to_wire_validates_against_the_server_drawing_model():
    drawing = Drawing.from_wire(wire())
    parsed = push.Drawing.model_validate(drawing.to_wire())
    assert Drawing.from_wire(parsed.model_dump()) == drawing


def test_a_drawing_message_validates_as_a_push_item():
    item = {"id": str(uuid.uuid4()), "seq": 1, "kind": "message", "payload": {
        "sender_id": 1, "to_employees": [2], "kind": "drawing",
        "drawing": Drawing.from_wire(wire()).to_wire()}}
    _, payload = push.validate_item(item)
    assert payload.drawing is not None and len(payload.drawing.strokes) == 2


def test_limits_are_the_server_limits():
    assert (MAX_STROKES, MAX_STROKE_POINTS) == (common.MAX_DRAWING_STROKES,
                                                common.MAX_STROKE_POINTS)


@pytest.mark.parametrize(("field", "value"), [
    ("width", MAX_CANVAS_SIZE), ("width", MAX_CANVAS_SIZE + 1), ("height", 1), ("height", 0),
    ("stroke_width", MAX_STROKE_WIDTH), ("stroke_width", MAX_STROKE_WIDTH + 0.01),
    ("stroke_width", 0.01), ("stroke_width", 0.0),
    ("x", COORD_LIMIT), ("x", COORD_LIMIT + 0.5), ("y", -COORD_LIMIT), ("y", -COORD_LIMIT - 1),
])
def test_sketch_and_server_agree_at_each_limit(field: str, value: float):
    data = wire()
    if field in ("width", "height"):
        data[field] = value
    elif field == "stroke_width":
        data["strokes"][0]["width"] = value
    else:
        data["strokes"][0]["points"][0][field == "y"] = value
    try:
        push.Drawing.model_validate(data)
        server_accepts = True
    except ValidationError:
        server_accepts = False
    try:
        Drawing.from_wire(data)
        sketch_accepts = True
    except DrawingError:
        sketch_accepts = False
    assert sketch_accepts == server_accepts


def test_drawing_is_immutable():
    drawing = Drawing.from_wire(wire())
    with pytest.raises(dataclasses.FrozenInstanceError):
        drawing.width = 10  # type: ignore[misc]
    assert isinstance(drawing.strokes, tuple) and isinstance(drawing.strokes[0].points, tuple)


def test_colour_is_kept_lowercase():
    assert Stroke("#AbCdEf", 2, [(1, 2)]).color == "#abcdef"


def test_numbers_are_stored_as_floats():
    stroke = Stroke("#000000", 3, [(1, 2)])
    assert stroke.width == 3.0 and type(stroke.width) is float
    assert stroke.points == ((1.0, 2.0),) and type(stroke.points[0][0]) is float


def test_point_count_sums_all_strokes():
    assert Drawing.from_wire(wire()).point_count == 3


INVALID = [
    (wire(width=0), "width", "1..4096"),
    (wire(height=4097), "height", "1..4096"),
    (wire(width=800.0), "width", "integer"),
    (wire(width=True), "width", "integer"),
    (wire(width="800"), "width", "integer"),
    (wire(strokes="abc"), "strokes", "list"),
    (wire(strokes=[stroke_wire()] * (MAX_STROKES + 1)), "strokes", "at most 500"),
    (wire(strokes=[stroke_wire(color="red")]), "strokes[0].color", "colour"),
    (wire(strokes=[stroke_wire(color="#12345")]), "strokes[0].color", "colour"),
    (wire(strokes=[stroke_wire(width=0)]), "strokes[0].width", "(0, 100]"),
    (wire(strokes=[stroke_wire(width=100.5)]), "strokes[0].width", "(0, 100]"),
    (wire(strokes=[stroke_wire(width=math.nan)]), "strokes[0].width", "(0, 100]"),
    (wire(strokes=[stroke_wire(width=None)]), "strokes[0].width", "(0, 100]"),
    (wire(strokes=[stroke_wire(points=[])]), "strokes[0].points", "1 to 5000"),
    (wire(strokes=[stroke_wire(points=[[0.0, 0.0]] * 5001)]), "strokes[0].points", "1 to 5000"),
    (wire(strokes=[stroke_wire(points=[[0.0, math.nan]])]), "strokes[0].points[0].y", "finite"),
    (wire(strokes=[stroke_wire(points=[[math.inf, 0.0]])]), "strokes[0].points[0].x", "finite"),
    (wire(strokes=[stroke_wire(points=[[1e6, 0.0]])]), "strokes[0].points[0].x", "100000"),
    (wire(strokes=[stroke_wire(points=[["1", 0.0]])]), "strokes[0].points[0].x", "finite"),
    (wire(strokes=[stroke_wire(points=[[1.0, 2.0, 3.0]])]), "strokes[0].points[0]", "[x, y]"),
    (wire(strokes=[stroke_wire(points=[5.0])]), "strokes[0].points[0]", "[x, y]"),
    (wire(strokes=[stroke_wire(pressure=1)]), "strokes[0].pressure", "not a field"),
    (wire(strokes=[{"color": "#000000", "width": 1}]), "strokes[0].points", "missing"),
    (wire(background="#ffffff"), "background", "not a field"),
    ({"width": 10, "height": 10}, "strokes", "missing"),
]


@pytest.mark.parametrize(("data", "path", "words"), INVALID,
                         ids=[f"{path}:{words}" for _, path, words in INVALID])
def test_invalid_wire_input_raises_an_error_naming_the_culprit(data, path, words):
    with pytest.raises(DrawingError) as caught:
        Drawing.from_wire(data)
    assert caught.value.path == path
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_error_locates_the_point_in_a_later_stroke():
    data = wire()
    data["strokes"][1]["points"] = [[1.0, 1.0], [2.0, 2.0], [3.0, math.nan]]
    with pytest.raises(DrawingError, match=r"^strokes\[1\]\.points\[2\]\.y: nan"):
        Drawing.from_wire(data)


def test_error_message_does_not_echo_huge_input():
    with pytest.raises(DrawingError) as caught:
        Drawing.from_wire(wire(strokes=[stroke_wire(color="#" + "f" * 100_000)]))
    assert len(str(caught.value)) < 120


def test_too_many_strokes_are_refused_before_any_is_parsed():
    garbage = [{"not": "a stroke"}] * (MAX_STROKES + 1)
    with pytest.raises(DrawingError, match="has 501 strokes"):
        Drawing.from_wire(wire(strokes=garbage))


def test_a_100000_point_stroke_is_refused_with_a_clear_error():
    points = [[float(i % 800), 1.0] for i in range(100_000)]
    with pytest.raises(DrawingError, match=r"strokes\[0\]\.points: has 100000 points"):
        Drawing.from_wire(wire(strokes=[stroke_wire(points=points)]))


def test_100000_points_over_20_strokes_are_accepted():
    strokes = [stroke_wire(points=[[float(i % 800), float(s)] for i in range(5000)])
               for s in range(20)]
    assert Drawing.from_wire(wire(strokes=strokes)).point_count == 100_000


def test_drawing_built_directly_is_validated_too():
    with pytest.raises(DrawingError, match=r"strokes\[0\]: expected a Stroke"):
        Drawing(10, 10, ({"color": "#000000"},))  # type: ignore[arg-type]


def test_the_editor_is_importable_from_the_package():
    from sketch import DrawingEditor
    from sketch.editor import DrawingEditor as FromEditor

    assert DrawingEditor is FromEditor


def test_sketch_imports_neither_kivy_nor_pydantic():
    import subprocess
    import sys

    code = ("import sys, sketch, sketch.render, sketch.editor, sketch.geometry; "
            "print(sorted({'kivy', 'pydantic'} & {m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]))
    assert out.stdout.strip() == "[]"
