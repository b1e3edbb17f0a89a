"""Scheduled broadcasts: composed for a time in the sender's site's time zone, kept
(nothing in any terminal's change feed) until the leader's job sends it, once; listed
with their time and cancelled (audited) before they go; site and role lines held."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from server.actions.scheduled_broadcasts import send_due
from server.db import Database
from server.repo import audit, changes, messages
from tests.support.console_rig import ADMIN, MANAGER_A, MANAGER_B, VIEWER, ConsoleClient, Seeded

Client = Callable[[str | None], ConsoleClient]
PARIS = ZoneInfo("Europe/Paris")  # Plant A's time zone, Hana's (the sender's) site


def _tomorrow_0545() -> datetime:
    """05:45 tomorrow, Paris time, as the composer is given it."""
    day = datetime.now(PARIS).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, 5, 45, tzinfo=PARIS)


def _schedule(c: ConsoleClient, at: datetime, **form: object) -> None:
    response = c.act("/console/broadcasts/new", {
        "do": "send", "ack": "on", "send_at": at.strftime("%Y-%m-%dT%H:%M"), **form})
    assert response.status_code == 303, response.text[-2000:]
    assert response.headers["location"].endswith("/console/broadcasts?done=scheduled")


def _message_changes(db: Database, site_id: int) -> list[str]:
    with db.read() as conn:
        return [r.entity_id for r in changes.for_site(conn, site_id, 0, 1000)
                if r.entity == "message"]


def test_a_scheduled_broadcast_reaches_no_terminal_before_its_time_and_goes_once(
        client: Client, linked: Seeded, console_db: Database) -> None:
    at = _tomorrow_0545()
    feed_before = _message_changes(console_db, linked.site_a)
    _schedule(client(ADMIN), at, body="Briefing at the start of the shift",
              site=str(linked.site_a))

    assert send_due(console_db, now=at.astimezone(UTC) - timedelta(seconds=1)) == []
    assert _message_changes(console_db, linked.site_a) == feed_before
    [message_id] = send_due(console_db, now=at.astimezone(UTC) + timedelta(seconds=5))
    assert send_due(console_db, now=at.astimezone(UTC) + timedelta(minutes=5)) == []

    assert _message_changes(console_db, linked.site_a) == [*feed_before, message_id]
    with console_db.read() as conn:
        to = {r.employee_id for r in messages.recipients(conn, [message_id])[message_id]}
        assert messages.get(conn, message_id).ack_required
    assert to == {linked.ali, linked.zoe}


def test_the_list_shows_a_scheduled_broadcast_with_its_local_time(
        client: Client, linked: Seeded) -> None:
    c = client(ADMIN)
    _schedule(c, _tomorrow_0545(), body="Briefing at the start of the shift",
              site=str(linked.site_a))
    scheduled = c.get("/console/broadcasts").text.split('id="scheduled-title"')[1]
    assert "05:45" in scheduled and "Briefing at the start" in scheduled


def test_a_time_in_the_past_is_refused_on_its_field(client: Client, linked: Seeded,
                                                    console_db: Database) -> None:
    an_hour_ago = datetime.now(PARIS) - timedelta(hours=1)
    response = client(ADMIN).act("/console/broadcasts/new", {
        "do": "send", "body": "Too late", "site": str(linked.site_a),
        "send_at": an_hour_ago.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 422 and 'id="send_at-error"' in response.text
    assert "in the past" in response.text
    with console_db.read() as conn:
        assert audit.entries(conn, "scheduled_broadcast") == []


def test_hr_cancels_a_scheduled_broadcast_before_it_goes(
        client: Client, linked: Seeded, console_db: Database) -> None:
    at = _tomorrow_0545()
    c = client(MANAGER_A)
    _schedule(c, at, body="Maybe not", site=str(linked.site_a))
    with console_db.read() as conn:
        [entry] = audit.entries(conn, "scheduled_broadcast")
    cancel = f"/console/broadcasts/scheduled/{entry.entity_id}/cancel"
    response = c.act(cancel)
    assert response.headers["location"].endswith("done=cancelled")
    assert send_due(console_db, now=at.astimezone(UTC) + timedelta(hours=1)) == []
    assert "Maybe not" not in c.get("/console/broadcasts").text
    with console_db.read() as conn:
        actions = [e.action for e in audit.entries(conn, "scheduled_broadcast")]
    assert actions == ["broadcast.cancel", "broadcast.schedule"]
    assert c.act(cancel).headers["location"].endswith("done=already_sent")


def test_another_site_a_viewer_and_no_session_can_neither_see_nor_cancel_it(
        client: Client, linked: Seeded, console_db: Database) -> None:
    _schedule(client(ADMIN), _tomorrow_0545(), body="Plant A only", site=str(linked.site_a))
    with console_db.read() as conn:
        [entry] = audit.entries(conn, "scheduled_broadcast")
    cancel = f"/console/broadcasts/scheduled/{entry.entity_id}/cancel"
    other_site = client(MANAGER_B)
    assert "Plant A only" not in other_site.get("/console/broadcasts").text
    assert other_site.act(cancel).status_code == 404
    viewer = client(VIEWER)
    assert "Plant A only" in viewer.get("/console/broadcasts").text
    assert viewer.act(cancel).status_code == 403
    assert client(None).post(cancel).status_code in (303, 401, 403)
    with console_db.read() as conn:
        assert [e.action for e in audit.entries(conn, "scheduled_broadcast")] == [
            "broadcast.schedule"]


def test_two_senders_at_once_send_it_once(client: Client, linked: Seeded,
                                          console_db: Database) -> None:
    """As two server processes would if both ran the job (the leader alone runs it)."""
    at = _tomorrow_0545()
    _schedule(client(ADMIN), at, body="Once only", site=str(linked.site_a))
    start, sent = threading.Barrier(2), []

    def sender() -> None:
        start.wait()
        sent.extend(send_due(console_db, now=at.astimezone(UTC) + timedelta(seconds=1)))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(sent) == 1
    with console_db.read() as conn:
        assert [e.action for e in audit.entries(conn, "message")] == ["broadcast.send"]
