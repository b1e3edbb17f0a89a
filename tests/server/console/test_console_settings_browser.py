"""The site settings page in Chromium: site IT sets a PIN and a timeout; an error is
shown on its field."""

from __future__ import annotations

from typing import Any

from contract.pin import check_pin
from server.db import Database
from server.repo import site_settings
from tests.support.console_browser import accessibility_violations, log_in
from tests.support.console_rig import SITE_IT, Seeded


def test_site_it_sets_a_timeout_and_a_pin_from_the_home_page(
        web_page: Any, seeded: Seeded, console_db: Database) -> None:
    log_in(web_page, SITE_IT)
    web_page.get_by_role("link", name="Site settings").first.click()
    web_page.get_by_role("link", name="Plant A").click()
    web_page.get_by_label("Session timeout").fill("45")
    web_page.get_by_label("New admin PIN").fill("482913")
    web_page.get_by_label("The new PIN again").fill("482913")
    web_page.get_by_role("button", name="Save").click()
    web_page.get_by_role("status").wait_for()
    assert web_page.get_by_label("New admin PIN").input_value() == ""
    with console_db.read() as conn:
        saved = site_settings.get(conn, seeded.site_a)
    assert saved["session_timeout_s"] == 45 and check_pin("482913", saved["admin_pin_hash"])


def test_a_refused_value_is_shown_on_its_field_and_the_page_stays_accessible(
        web_page: Any, seeded: Seeded) -> None:
    log_in(web_page, SITE_IT)
    web_page.goto(f"/console/settings/{seeded.site_a}")
    web_page.get_by_label("Session timeout").fill("2")
    web_page.get_by_role("button", name="Save").click()
    web_page.get_by_role("alert").wait_for()
    assert "from 5 to 600" in web_page.locator("#session_timeout_s-error").inner_text()
    assert accessibility_violations(web_page) == []
    web_page.goto("/console/settings")
    assert accessibility_violations(web_page) == []
    web_page.goto("/console/audit")
    assert accessibility_violations(web_page) == []
