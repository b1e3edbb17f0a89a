"""A worker with 10,000 cached messages: the inbox shows the newest first, older pages on scroll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.cached_messages import cached_messages

BULK = 10_000


@pytest.fixture
def busy_worker(app: Any) -> Any:
    """A demo worker no other test badges, with 10,000 more messages (all newer than the
    demo's) for this test only."""
    from kiosk.demo.company import DEMO_WORKERS
    from kiosk.domain.messages import IncomingMessage

    worker = next(w for w in DEMO_WORKERS if w.employee.id == 11)
    now = datetime.now(UTC)
    with cached_messages(app, [
        IncomingMessage(
            id=f"bulk-{n:05d}", sender_id=8, sender_name="Sophie Lefèvre",
            body=f"Message {n} : la ligne {n % 7} redémarre à 14 h.",
            created_at=now - timedelta(seconds=n / 2 + 1), recipients=(worker.employee.id,),
            # none asks for an acknowledgement: those would go on top of the list
        )
        for n in range(BULK)
    ]):
        yield worker


def test_inbox_of_10000_newest_first_then_older_pages_on_scroll(app, busy_worker):
    from kiosk.demo.company import demo_message_id
    from kiosk.domain.models import INBOX_PAGE

    app.present(busy_worker.badge)
    app.wait_for_screen("welcome")
    app.tap(app.screen("welcome").ids.messages_button)
    inbox = app.screen("inbox")
    app.wait_until(lambda: inbox.state == "list", 5, "the inbox")
    # On top, the demo's announcement this worker has not acknowledged yet; then pages.
    pinned = [demo_message_id(1)]
    ids = [row["message_id"] for row in inbox.rows]
    assert len(ids) == len(pinned) + INBOX_PAGE
    assert ids[:4] == [*pinned, "bulk-00000", "bulk-00001", "bulk-00002"]
    view = inbox.ids.list_view
    assert view.layout_manager.children  # rows drawn, not just data

    view.scroll_y = 0  # the worker scrolled to the end of the list
    app.wait_until(lambda: len(inbox.rows) == len(pinned) + 2 * INBOX_PAGE, 5, "the older page")
    app.pump(0.3)
    ids = [row["message_id"] for row in inbox.rows]
    assert len(ids) == len(pinned) + 2 * INBOX_PAGE  # one page per scroll, not a cascade
    assert ids == pinned + [f"bulk-{n:05d}" for n in range(2 * INBOX_PAGE)]
    assert view.scroll_y > 0  # the rows in view stayed in place; the new ones are below

    view.scroll_y = 0
    app.wait_until(lambda: len(inbox.rows) == len(pinned) + 3 * INBOX_PAGE, 5, "the page after")
    assert inbox.rows[-1]["message_id"] == f"bulk-{3 * INBOX_PAGE - 1:05d}"
