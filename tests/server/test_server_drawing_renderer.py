"""The drawing renderer: worker processes that render what a thread would, and that are
replaced when one dies, so no push is ever stuck on a broken pool."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from server.protocol.push import Drawing
from server.repo import Refused
from server.services.drawings import DrawingRenderer

WIRE = Drawing.model_validate({"width": 320, "height": 200, "strokes": [
    {"color": "#1144ee", "width": 6.0, "points": [[10.0, 10.0], [300.0, 180.0]]}]})
BAD_COLOUR = Drawing.model_construct(width=320, height=200, strokes=[
    WIRE.strokes[0].model_copy(update={"color": "not a colour"})])


@pytest.fixture
def in_processes() -> Iterator[DrawingRenderer]:
    renderer = DrawingRenderer(processes=1)
    yield renderer
    renderer.close()


def test_a_worker_process_renders_the_same_bytes_as_a_thread(
        in_processes: DrawingRenderer) -> None:
    on_thread = DrawingRenderer(processes=0)
    try:
        assert in_processes.render_all([WIRE]) == on_thread.render_all([WIRE])
    finally:
        on_thread.close()


def test_a_drawing_the_renderer_refuses_comes_back_refused_in_its_place(
        in_processes: DrawingRenderer) -> None:
    first, second = in_processes.render_all([BAD_COLOUR, WIRE])
    assert isinstance(first, Refused) and first.code == "invalid_payload"
    assert isinstance(second, tuple)


def test_a_killed_render_process_is_replaced(in_processes: DrawingRenderer) -> None:
    [before] = in_processes.render_all([WIRE])
    for pid in list(in_processes._pool._processes):  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)
    [after] = in_processes.render_all([WIRE])
    assert after == before
