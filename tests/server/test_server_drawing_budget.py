"""Drawings cost the server CPU: they render off the write transaction, within caps on
ink per drawing, per request and per terminal per minute. What is past a budget is
deferred (sent again later), never refused: the worker's drawing is not lost."""

from __future__ import annotations

import pytest
from server_testkit import Terminal, World, item, punch
from sqlalchemy import func, select

from server.config import ServerSettings
from server.db import Database
from server.db.schema import messages, push_log
from server.services.drawings import MinuteBudget


@pytest.fixture
def server_settings() -> ServerSettings:
    return ServerSettings(drawing_points_per_request=1000, drawing_points_per_minute=60_000)


def drawing(sender: int, to: int, points: int, seq: int = 1) -> dict:
    strokes, left = [], points
    while left:
        n = min(left, 5000)
        strokes.append({"color": "#000000", "width": 3.0,
                        "points": [[float(i % 640), float(i % 400)] for i in range(n)]})
        left -= n
    return item("message", {"sender_id": sender, "to_employees": [to], "kind": "drawing",
                            "drawing": {"width": 640, "height": 400, "strokes": strokes}},
                seq=seq)


def _count(db: Database, table) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_items_past_the_requests_ink_cap_are_deferred_with_every_later_item(
        terminal: Terminal, db: Database, world: World) -> None:
    results = terminal.push(drawing(world.alice, world.bob, 600, 1),
                            drawing(world.alice, world.bob, 600, 2), punch(world.alice))
    assert [r["status"] for r in results] == ["accepted", "deferred", "deferred"]
    deferred = results[1]["error"]
    assert deferred["code"] == "rate_limited" and deferred["retry_after_s"] >= 1
    assert (_count(db, messages), _count(db, push_log)) == (1, 1)


def test_a_deferred_item_is_accepted_when_sent_again(
        terminal: Terminal, world: World) -> None:
    first, second = drawing(world.alice, world.bob, 600, 1), drawing(world.alice, world.bob, 600, 2)
    terminal.push(first, second)
    [again] = terminal.push(second)
    assert again["status"] == "accepted"


def test_a_duplicate_after_a_deferred_item_is_still_answered_as_a_duplicate(
        terminal: Terminal, world: World) -> None:
    the_punch = punch(world.alice)
    terminal.push(the_punch)
    results = terminal.push(drawing(world.alice, world.bob, 600, 1),
                            drawing(world.alice, world.bob, 600, 2), the_punch)
    assert [r["status"] for r in results] == ["accepted", "deferred", "duplicate"]


def test_a_drawing_with_more_ink_than_a_terminal_allows_is_rejected(
        terminal: Terminal, world: World) -> None:
    [result] = terminal.push(drawing(world.alice, world.bob, 60_001))
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "invalid_payload"


def test_the_ink_budget_refills_over_a_minute() -> None:
    now = [0.0]
    budget = MinuteBudget(per_minute=6000, clock=lambda: now[0])
    assert budget.take(1, 6000) == 0
    assert budget.take(1, 600) == pytest.approx(6.0)
    assert budget.take(2, 600) == 0  # another terminal's budget
    now[0] += 6.0
    assert budget.take(1, 600) == 0

