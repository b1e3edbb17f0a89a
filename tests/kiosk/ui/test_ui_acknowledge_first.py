"""A message HR asked to acknowledge comes first: the welcome tile says so and the inbox
has it on top, until the worker acknowledges it (a reminder from HR brings it back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.cached_messages import cached_messages

WORKER_ID = 9  # a demo worker no other UI test badges


@pytest.fixture
def fire_drill(app: Any) -> Any:
    """An old announcement to acknowledge for the worker, as a pull would store it."""
    from kiosk.demo.company import DEMO_WORKERS
    from kiosk.domain.messages import IncomingMessage

    worker = next(w for w in DEMO_WORKERS if w.employee.id == WORKER_ID)
    with cached_messages(app, [IncomingMessage(
        id="fire-drill", sender_id=10, sender_name="Nadia Roux",
        body="Exercice incendie vendredi : lisez les consignes et confirmez.",
        created_at=datetime.now(UTC) - timedelta(days=2), recipients=(WORKER_ID,),
        ack_required=True, reply_allowed=False,
    )]):
        yield worker


def test_the_welcome_tile_says_a_message_waits_for_acknowledgement(app, fire_drill):
    app.present(fire_drill.badge)
    app.wait_for_screen("welcome")
    welcome = app.screen("welcome")
    expected = {"fr": "Un message à confirmer", "en": "A message to acknowledge"}
    assert welcome.ids.unread_label.text == expected[fire_drill.employee.language]


def test_the_inbox_opens_with_the_message_to_acknowledge_on_top(app, fire_drill):
    app.present(fire_drill.badge)
    app.wait_for_screen("welcome")
    app.tap(app.screen("welcome").ids.messages_button)
    inbox = app.screen("inbox")
    app.wait_until(lambda: inbox.state == "list", 5, "the inbox")
    waiting = [row["message_id"] for row in inbox.rows if row["ack_text"]]
    assert "fire-drill" in waiting  # two days old, yet above every newer message
    assert [row["message_id"] for row in inbox.rows[:len(waiting)]] == waiting
