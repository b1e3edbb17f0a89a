"""The audit log page in Chromium: a change made in the console shows there."""

from __future__ import annotations

from typing import Any

from tests.support.console_browser import log_in
from tests.support.console_rig import ADMIN, MANAGER_B, Seeded


def test_a_rename_in_the_console_shows_before_and_after_in_the_audit_log(
        web_page: Any, seeded: Seeded) -> None:
    log_in(web_page, ADMIN)
    web_page.goto(f"/console/people/{seeded.zoe}")
    web_page.get_by_label("Name", exact=True).fill("Zoé Martin")
    web_page.get_by_role("button", name="Save").click()
    web_page.get_by_role("status").wait_for()
    web_page.get_by_role("link", name="Audit log").click()
    web_page.get_by_label("What").select_option("employee.update")
    web_page.get_by_role("button", name="Filter").click()
    row = web_page.get_by_role("row").filter(has_text="Zoé Martin")
    assert "console:admin@example.org" in row.inner_text()
    assert row.locator("del").inner_text() == "Zoé O'Brien"


def test_a_manager_of_another_site_reaches_no_site_a_entry_by_url(
        web_page: Any, seeded: Seeded) -> None:
    log_in(web_page, MANAGER_B)
    web_page.get_by_role("heading", name="People").wait_for()
    assert web_page.goto(f"/console/audit?site={seeded.site_a}").status == 404
