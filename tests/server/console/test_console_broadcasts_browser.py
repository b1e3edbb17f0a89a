"""Broadcasts in Chromium: compose to a group with acknowledgement required, preview,
send; the report names who has not acknowledged; the reminder; accessibility."""

from __future__ import annotations

from typing import Any

from server.db import Database
from tests.support.broadcast_rig import link, receipt
from tests.support.console_browser import accessibility_violations, log_in
from tests.support.console_rig import ADMIN, MANAGER_B, Seeded


def test_a_group_broadcast_report_shows_one_of_two_and_reminds_the_other(
        web_page: Any, seeded: Seeded, console_db: Database) -> None:
    link(console_db, ADMIN, seeded.hana)
    log_in(web_page, ADMIN)
    web_page.get_by_role("link", name="Broadcasts").click()
    web_page.get_by_role("link", name="New broadcast").click()
    web_page.get_by_label("Group Line 3").check()
    web_page.get_by_label("Message").fill("New safety shoes from Monday")
    web_page.get_by_role("button", name="Preview").click()
    web_page.get_by_role("heading", name="Preview: as a terminal shows it").wait_for()
    assert accessibility_violations(web_page) == []
    web_page.get_by_role("button", name="Send").click()
    web_page.get_by_role("heading", name="Broadcast report").wait_for()
    message_id = web_page.url.split("/")[-1].split("?")[0]
    receipt(console_db, message_id, seeded.ali, acked=True)
    web_page.reload()
    assert "1 of 2 read, 1 acknowledged" in web_page.locator(".report-line").inner_text()
    missing = web_page.get_by_role("table").inner_text()
    assert "Carl B" in missing and "Ali Ben" not in missing
    assert accessibility_violations(web_page) == []
    web_page.get_by_role("button", name="Remind those who have not acknowledged").click()
    assert "Reminder sent" in web_page.get_by_role("status").first.inner_text()


def test_the_broadcast_pages_are_accessible_and_scoped(web_page: Any, seeded: Seeded) -> None:
    log_in(web_page, MANAGER_B)
    web_page.get_by_role("heading", name="People").wait_for()
    for path in ("/console/broadcasts", "/console/broadcasts/new"):
        web_page.goto(path)
        assert accessibility_violations(web_page) == [], path
    assert web_page.goto("/console/broadcasts/no-such-id").status == 404
