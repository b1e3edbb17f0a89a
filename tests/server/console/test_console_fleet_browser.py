"""The fleet page in Chromium: a stale terminal is shown as needing attention, its
site's row is marked in words, and the fleet's pages pass axe-core."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.console.demo_fleet import plant_terminal
from server.db import Database
from tests.support.console_browser import accessibility_violations, log_in
from tests.support.console_rig import SITE_IT, Seeded


def test_a_stale_terminal_needs_attention_and_marks_its_site(
        web_page: Any, seeded: Seeded, console_db: Database) -> None:
    with console_db.write() as conn:
        plant_terminal(conn, seeded.site_a, "Gate 1")
        plant_terminal(conn, seeded.site_a, "Canteen", seen_ago=timedelta(days=3),
                       reported_ago=timedelta(days=3),
                       outbox={"depth": 12, "oldest_age_s": 3600.0, "rejected": 0})
    log_in(web_page, SITE_IT)
    web_page.get_by_role("heading", name="Terminals", exact=True).wait_for()
    site = web_page.get_by_role("row").filter(
        has=web_page.get_by_role("rowheader", name="Plant A"))
    assert "Needs attention: 1 terminal" in site.inner_text()
    stale = web_page.get_by_role("row").filter(
        has=web_page.get_by_role("rowheader", name="Canteen"))
    assert "Offline" in stale.inner_text()
    assert "Outbox older than an hour" in stale.inner_text()
    healthy = web_page.get_by_role("row").filter(
        has=web_page.get_by_role("rowheader", name="Gate 1"))
    assert "Online" in healthy.inner_text() and "None" in healthy.inner_text()
    assert accessibility_violations(web_page) == []
    stale.get_by_role("link", name="Canteen").click()
    web_page.get_by_role("heading", name="Report stolen").wait_for()
    assert accessibility_violations(web_page) == []
    web_page.goto("/console/fleet/enroll")
    web_page.get_by_label("Site").select_option(label="Plant A")
    web_page.get_by_role("button", name="Make a code").click()
    web_page.get_by_role("img", name="QR code of the command above").wait_for()
    assert accessibility_violations(web_page) == []
