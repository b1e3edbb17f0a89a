"""The console in a real browser: Debian's Chromium, headless, driven by Playwright."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from server_testkit import Terminal, enrollment_code, of_type, text_message

from server.config import ConsoleSettings
from server.db import Database
from server.repo import directory, groups, messages
from tests.support.console_browser import accessibility_violations, log_in
from tests.support.console_rig import ADMIN, MANAGER_A, MANAGER_B, SITE_IT, Seeded


@pytest.fixture
def console_settings(request: pytest.FixtureRequest) -> ConsoleSettings:
    return getattr(request, "param", ConsoleSettings(backoff_after=100, lockout_after=3))


def test_login_with_the_right_password_opens_people(web_page: Any) -> None:
    log_in(web_page, ADMIN)
    web_page.get_by_role("heading", name="People").wait_for()
    assert web_page.get_by_role("link", name="Ali Ben").is_visible()


def test_a_wrong_password_says_so_and_stays_on_the_login(web_page: Any) -> None:
    log_in(web_page, ADMIN, "not my password")
    assert web_page.get_by_role("alert").inner_text() == "Wrong e-mail address or password."


def test_too_many_wrong_passwords_lock_the_account(web_page: Any) -> None:
    for _ in range(3):
        log_in(web_page, MANAGER_A, "guess")
    log_in(web_page, MANAGER_A)
    assert "locked" in web_page.get_by_role("alert").inner_text()


def test_logout_returns_to_the_login_and_the_pages_stay_closed(web_page: Any) -> None:
    log_in(web_page, ADMIN)
    web_page.get_by_role("button", name="Log out").click()
    web_page.get_by_role("heading", name="Log in").wait_for()
    web_page.goto("/console/people")
    assert web_page.get_by_role("heading", name="Log in").is_visible()


@pytest.mark.parametrize("console_settings", [ConsoleSettings(
    idle_timeout=timedelta(seconds=1))], indirect=True)
def test_an_idle_session_expires_and_asks_to_log_in_again(web_page: Any) -> None:
    log_in(web_page, ADMIN)
    web_page.get_by_role("heading", name="People").wait_for()
    time.sleep(1.5)
    web_page.get_by_role("link", name="Groups").click()
    web_page.get_by_role("heading", name="Log in").wait_for()
    assert "next=/console/groups" in web_page.url


def test_a_manager_of_another_site_gets_not_found_by_url(web_page: Any,
                                                         seeded: Seeded) -> None:
    log_in(web_page, MANAGER_B)
    web_page.get_by_role("heading", name="People").wait_for()
    assert not web_page.get_by_role("link", name="Ali Ben").is_visible()
    response = web_page.goto(f"/console/people/{seeded.ali}")
    assert response.status == 404
    assert web_page.get_by_role("heading", name="Not found").is_visible()


def test_site_it_sees_no_people_page(web_page: Any) -> None:
    log_in(web_page, SITE_IT)
    web_page.get_by_role("heading", name="Terminals", exact=True).wait_for()
    assert web_page.goto("/console/people").status == 403


def test_creating_an_employee_with_a_badge(web_page: Any, console_db: Database,
                                           seeded: Seeded) -> None:
    log_in(web_page, MANAGER_A)
    web_page.get_by_role("link", name="New employee").click()
    web_page.get_by_label("Name", exact=True).fill("Élodie N'Diaye")
    web_page.get_by_label("Role").select_option(label="Manager")
    web_page.get_by_label("Badge id (optional)").fill("0f00dd0004")
    web_page.get_by_role("button", name="Create").click()
    web_page.get_by_role("heading", name="Élodie N'Diaye").wait_for()
    assert web_page.get_by_role("status").inner_text() == "Created."
    assert web_page.get_by_text("0F00DD0004").is_visible()
    with console_db.read() as conn:
        [row] = [e for e in directory.list_employees(conn) if e.name == "Élodie N'Diaye"]
        assert (row.role, row.site_id) == ("manager", seeded.site_a)


def test_a_missing_name_is_shown_next_to_the_field(web_page: Any) -> None:
    log_in(web_page, ADMIN)
    web_page.goto("/console/people/new")
    web_page.get_by_label("Name", exact=True).evaluate("el => el.removeAttribute('required')")
    web_page.get_by_role("button", name="Create").click()
    assert web_page.get_by_text("Enter a name.").is_visible()


def test_editing_a_contact_list_by_name_with_type_ahead(web_page: Any, console_db: Database,
                                                        seeded: Seeded) -> None:
    log_in(web_page, MANAGER_A)
    web_page.goto(f"/console/contacts/{seeded.ali}")
    web_page.get_by_label("Add a person or a group").press_sequentially("han", delay=30)
    web_page.get_by_role("button", name="Add Hana HR").click()  # appears without a reload
    web_page.get_by_role("button", name="Remove Hana HR").wait_for()
    web_page.get_by_role("button", name="Remove Zoé O'Brien").click()
    web_page.get_by_role("status").wait_for()
    with console_db.read() as conn:
        assert groups.contacts(conn, seeded.ali) == ([seeded.hana], [])


def test_approving_and_rejecting_in_the_queue(web_page: Any, console_db: Database,
                                              seeded: Seeded) -> None:
    log_in(web_page, ADMIN)
    web_page.get_by_role("link", name="Moderation").click()
    assert web_page.locator("#pending-count").inner_text().startswith("2")
    web_page.get_by_role("button", name="Approve — Ali Ben").click()
    assert web_page.get_by_role("status").inner_text().startswith("Approved")
    card = web_page.locator("li.message", has_text="Forklift broken")
    card.get_by_label("Reason for rejecting (the sender sees it)").fill("Call the workshop")
    card.get_by_role("button", name="Reject — Carl B").click()
    assert web_page.get_by_role("status").inner_text().startswith("Rejected")
    assert web_page.get_by_text("Nothing to moderate.").is_visible()
    with console_db.read() as conn:
        assert messages.get(conn, seeded.pending_a).status == "approved"
        assert messages.get(conn, seeded.pending_b).rejection_reason == "Call the workshop"


def test_the_queue_works_without_javascript(browser: Any, console_server: Any,
                                            console_db: Database, seeded: Seeded) -> None:
    context = browser.new_context(base_url=console_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, ADMIN)
        page.goto("/console/moderation")
        page.get_by_role("button", name="Approve — Ali Ben").click()
        assert page.get_by_role("status").inner_text().startswith("Approved")
    finally:
        context.close()
    with console_db.read() as conn:
        assert messages.get(conn, seeded.pending_a).status == "approved"


def test_the_pending_count_refreshes_by_itself(web_page: Any, console_db: Database,
                                               seeded: Seeded) -> None:
    log_in(web_page, ADMIN)
    web_page.goto("/console/people")
    with console_db.write() as conn:
        messages.decide(conn, seeded.pending_a, True, None)
    # The poll is every 15 s; ask htmx for it now rather than wait.
    web_page.evaluate("htmx.ajax('GET', '/console/moderation/count', "
                      "{target: '#pending-count', swap: 'outerHTML'})")
    web_page.wait_for_function(
        "document.querySelector('#pending-count').innerText.startsWith('1')")


def test_the_console_speaks_french_when_the_account_chooses_it(web_page: Any) -> None:
    log_in(web_page, ADMIN)
    web_page.get_by_label("Language").select_option(label="Français")
    web_page.get_by_role("button", name="Change").click()
    web_page.get_by_role("heading", name="Personnes").wait_for()
    assert web_page.get_by_role("link", name="Modération").is_visible()


def _pages(seeded: Seeded) -> list[str]:
    return ["/console/people", "/console/people?q=zz", "/console/people/new",
            f"/console/people/{seeded.ali}", "/console/contacts", "/console/contacts?q=a",
            f"/console/contacts/{seeded.ali}?find=h",
            f"/console/contacts/bulk?group={seeded.line}&emp={seeded.zoe}&find=h",
            "/console/groups", f"/console/groups/{seeded.line}?find=z", "/console/moderation",
            "/console/people/999999", "/console/audit", "/console/audit?since=bad",
            "/console/settings", f"/console/settings/{seeded.site_a}"]


@pytest.mark.parametrize("width", [1280, 820])  # a laptop, a tablet held upright
def test_no_serious_accessibility_violation_on_any_page(web_page: Any, seeded: Seeded,
                                                        width: int) -> None:
    web_page.set_viewport_size({"width": width, "height": 900})
    web_page.goto("/console/login")
    found = {"/console/login": accessibility_violations(web_page)}
    log_in(web_page, ADMIN)
    web_page.get_by_role("heading", name="People").wait_for()
    for path in _pages(seeded):
        web_page.goto(path)
        found[path] = accessibility_violations(web_page)
    assert {path: v for path, v in found.items() if v} == {}


def test_the_empty_states_and_site_it_home_the_fleet_are_accessible(web_page: Any,
                                                          console_db: Database) -> None:
    log_in(web_page, SITE_IT)
    web_page.get_by_role("heading", name="Terminals", exact=True).wait_for()
    assert accessibility_violations(web_page) == []


def test_a_moderated_reply_pushed_by_a_terminal_is_approved_in_the_browser_and_delivered(
        web_page: Any, console_server: Any, console_db: Database, seeded: Seeded) -> None:
    """End to end through the sync API: a terminal pushes Ali's message (Ali is
    moderated), HR approves it in Chromium, another terminal of the site pulls it."""
    sender_terminal, other_terminal = (_enrolled(console_server.url, console_db,
                                                 seeded.site_a, name) for name in ("A1", "A2"))
    try:
        [result] = sender_terminal.push(text_message(seeded.ali, (seeded.zoe,),
                                                     body="Léo's shift: swap OK?"))
        assert result["status"] == "accepted", result
        log_in(web_page, ADMIN)
        web_page.goto("/console/moderation")
        card = web_page.locator("li.message", has_text="Léo's shift: swap OK?")
        card.get_by_role("button", name="Approve — Ali Ben").click()
        assert web_page.get_by_role("status").inner_text().startswith("Approved")
        pulled, _cursor = other_terminal.pull_all()
        delivered = [c for c in of_type(pulled, "message") if c["body"] == "Léo's shift: swap OK?"]
        assert delivered and delivered[0]["status"] == "approved"
    finally:
        sender_terminal.close()
        other_terminal.close()


def _enrolled(url: str, db: Database, site_id: int, name: str) -> Terminal:
    response = httpx.post(f"{url}/v1/enroll", json={"code": enrollment_code(db, site_id),
                                                    "terminal_name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    client = Terminal(base_url=url, timeout=30,
                      headers={"Authorization": f"Bearer {body['token']}"})
    client.terminal_id = body["terminal_id"]
    return client


def test_the_people_list_narrows_as_a_name_is_typed(web_page: Any) -> None:
    log_in(web_page, ADMIN)
    web_page.get_by_role("heading", name="People").wait_for()
    web_page.get_by_label("Search").first.press_sequentially("zoe", delay=30)
    web_page.wait_for_url("**/console/people?q=zoe*")  # the URL keeps the search
    web_page.get_by_text("1 person").wait_for()
    assert web_page.get_by_role("link", name="Zoé O'Brien").is_visible()
    assert not web_page.get_by_role("link", name="Ali Ben").is_visible()
