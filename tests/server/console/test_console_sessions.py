"""Login, logout, session expiry, password-guessing throttle and lockout, CSRF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from server.actions import accounts as account_actions
from server.config import ConsoleSettings
from server.db import Database
from server.repo import accounts
from server.repo.audit import CLI
from tests.support.console_rig import ADMIN, MANAGER_A, PASSWORD, ConsoleClient, Seeded

Client = Callable[[str | None], ConsoleClient]


@pytest.fixture
def console_settings(request: pytest.FixtureRequest) -> ConsoleSettings:
    # No backoff by default here, so that the lockout can be reached without waiting.
    return getattr(request, "param", ConsoleSettings(backoff_after=100, lockout_after=3))


def test_a_good_password_opens_a_session_with_a_strict_httponly_cookie(client: Client) -> None:
    response = client(None).post("/console/login", data={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert "secure" not in cookie


@pytest.mark.parametrize("console_settings", [ConsoleSettings(tls=True)], indirect=True)
def test_the_cookie_is_secure_when_the_setting_says_tls(client: Client) -> None:
    response = client(None).post("/console/login", data={"email": ADMIN, "password": PASSWORD})
    assert "secure" in response.headers["set-cookie"].lower()


def test_a_bad_password_is_refused_and_recorded(client: Client, console_db: Database) -> None:
    response = client(None).post("/console/login", data={"email": ADMIN, "password": "nope"})
    assert response.status_code == 401
    assert "Wrong e-mail address or password" in response.text
    assert "set-cookie" not in response.headers
    with console_db.read() as conn:
        [failure] = accounts.failures(conn)
    assert (failure.email, failure.reason, failure.client_address) == (
        ADMIN, "bad_password", "127.0.0.1")


def test_an_unknown_address_gets_the_same_answer_as_a_bad_password(client: Client) -> None:
    unknown = client(None).post("/console/login",
                                data={"email": "who@example.org", "password": "x"})
    wrong = client(None).post("/console/login", data={"email": ADMIN, "password": "x"})
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong e-mail address or password" in unknown.text


def test_failed_logins_lock_the_account_until_an_admin_unlocks_it(
        client: Client, console_db: Database) -> None:
    c = client(None)
    for _ in range(3):
        c.post("/console/login", data={"email": MANAGER_A, "password": "guess"})
    locked = c.post("/console/login", data={"email": MANAGER_A, "password": PASSWORD})
    assert locked.status_code == 401 and "locked" in locked.text
    with console_db.write() as conn:
        account_actions.unlock(conn, CLI, accounts.account_by_email(conn, MANAGER_A).id)
    assert c.post("/console/login", data={"email": MANAGER_A, "password": PASSWORD}) \
        .status_code == 303


@pytest.mark.parametrize("console_settings", [ConsoleSettings(
    backoff_after=2, backoff_base=timedelta(seconds=60))], indirect=True)
def test_after_repeated_failures_even_the_right_password_must_wait(client: Client) -> None:
    c = client(None)
    for _ in range(2):
        c.post("/console/login", data={"email": ADMIN, "password": "guess"})
    response = c.post("/console/login", data={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 50


@pytest.mark.parametrize("console_settings", [ConsoleSettings(
    address_backoff_after=3, backoff_after=100, backoff_base=timedelta(seconds=60))],
    indirect=True)
def test_guessing_across_accounts_from_one_address_is_slowed(client: Client) -> None:
    c = client(None)
    for n in range(3):
        c.post("/console/login", data={"email": f"guess{n}@example.org", "password": "x"})
    assert c.post("/console/login", data={"email": ADMIN, "password": PASSWORD}) \
        .status_code == 429


def test_logout_ends_the_session_on_the_server(client: Client) -> None:
    c = client(ADMIN)
    cookie = c.cookies.get("kiosk_console")
    assert c.act("/console/logout").status_code == 303
    replay = ConsoleClient(str(c.base_url))
    replay.cookies.set("kiosk_console", cookie or "", path="/console")
    assert replay.get("/console/people", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("console_settings", [ConsoleSettings(
    idle_timeout=timedelta(seconds=-1))], indirect=True)
def test_an_idle_session_has_expired(client: Client) -> None:
    c = client(None)
    c.login(ADMIN)
    assert c.get("/console/people", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("console_settings", [ConsoleSettings(
    absolute_lifetime=timedelta(seconds=-1))], indirect=True)
def test_a_session_past_its_lifetime_has_expired(client: Client) -> None:
    c = client(None)
    c.login(ADMIN)
    assert c.get("/console/people", follow_redirects=False).status_code == 303


def test_disabling_an_account_ends_its_sessions(client: Client, console_db: Database) -> None:
    c = client(MANAGER_A)
    with console_db.write() as conn:
        account_actions.set_active(conn, CLI, accounts.account_by_email(conn, MANAGER_A).id,
                                   False)
        assert all(s.revoked_at is not None for s in accounts.sessions_of(conn))
    assert c.get("/console/people", follow_redirects=False).status_code == 303


def test_sessions_are_stored_as_a_hash_of_the_cookie(client: Client,
                                                     console_db: Database) -> None:
    token = client(ADMIN).cookies.get("kiosk_console")
    with console_db.read() as conn:
        stored = [row.token_hash for row in conn.exec_driver_sql(
            "SELECT token_hash FROM console_sessions")]
    assert token and token not in stored and len(stored[0]) == 64


def test_a_change_without_the_csrf_token_is_refused(client: Client, seeded: Seeded) -> None:
    c = client(ADMIN)
    response = c.act(f"/console/people/{seeded.ali}/disable", csrf=False)
    assert response.status_code == 403


def test_a_change_from_another_origin_is_refused(client: Client, seeded: Seeded) -> None:
    c = client(ADMIN)
    c.headers["Origin"] = "https://evil.example"
    assert c.act(f"/console/people/{seeded.ali}/disable").status_code == 403


def test_a_change_without_origin_needs_sec_fetch_site_same_origin(client: Client,
                                                                  seeded: Seeded) -> None:
    c = client(ADMIN)
    del c.headers["Origin"]
    assert c.act(f"/console/people/{seeded.ali}/disable").status_code == 403
    c.headers["Sec-Fetch-Site"] = "same-origin"
    assert c.act(f"/console/people/{seeded.ali}/disable").status_code == 303


def test_the_csrf_token_may_come_as_the_htmx_header(client: Client, seeded: Seeded) -> None:
    c = client(ADMIN)
    response = c.post(f"/console/people/{seeded.ali}/disable", headers={"X-CSRF-Token": c.csrf})
    assert response.status_code == 303


def test_login_from_another_origin_is_refused(client: Client) -> None:
    c = client(None)
    c.headers["Origin"] = "https://evil.example"
    assert c.post("/console/login", data={"email": ADMIN, "password": PASSWORD}) \
        .status_code == 403


def test_login_never_redirects_off_the_console(client: Client) -> None:
    response = client(None).post("/console/login", data={
        "email": ADMIN, "password": PASSWORD, "next": "//evil.example/x"})
    assert response.headers["location"] == "/console/"


def test_console_query_strings_stay_out_of_the_access_log() -> None:
    import logging

    from server.console.logs import HideConsoleQueries

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/console/people?q=0F00AA0001", "1.1",
                                200), None)
    HideConsoleQueries().filter(record)
    assert "0F00AA0001" not in record.getMessage()


def test_the_login_page_speaks_the_browsers_language(client: Client) -> None:
    page = client(None).get("/console/login", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert '<html lang="fr">' in page.text and "Se connecter" in page.text
