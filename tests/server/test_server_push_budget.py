"""What a terminal's pushes may write per minute (rows: each item's, and a recipient's
per person a message reaches): past it, items are deferred, never refused, so one
terminal fanning messages out cannot hold the writer every other terminal waits for."""

from __future__ import annotations

import pytest
from server_testkit import Terminal, World, punch, text_message

from server.config import ServerSettings


@pytest.fixture
def server_settings() -> ServerSettings:
    return ServerSettings(push_rows_per_minute=5)


def test_a_message_past_the_terminals_row_budget_is_deferred_with_what_follows(
        terminal: Terminal, world: World) -> None:
    results = terminal.push(text_message(world.alice, (world.bob,)),  # 2 rows
                            text_message(world.alice, to_groups=(world.line3,)),  # 4 rows
                            punch(world.alice))
    assert [r["status"] for r in results] == ["accepted", "deferred", "deferred"]
    assert results[1]["error"]["code"] == "rate_limited"
    assert results[1]["error"]["retry_after_s"] >= 1


def test_another_terminals_budget_is_its_own(
        terminal: Terminal, enroll, world: World) -> None:
    terminal.push(*[punch(world.alice) for _ in range(5)])
    neighbour = enroll(world.site, "second clock")
    [result] = neighbour.push(punch(world.alice))
    assert result["status"] == "accepted"
