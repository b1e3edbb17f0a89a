"""The audit log page: read-only, filtered by who, what, site and date, each change
shown before -> after, and only the entries of the caller's sites."""

from __future__ import annotations

from collections.abc import Callable

from server.actions import people
from server.db import Database
from server.repo.audit import CLI, Actor
from tests.support.console_rig import (
    ADMIN,
    MANAGER_A,
    MANAGER_B,
    SITE_IT,
    VIEWER,
    ConsoleClient,
    Seeded,
)

Client = Callable[[str | None], ConsoleClient]


def _rename(db: Database, employee_id: int, name: str, actor: Actor = CLI) -> None:
    with db.write() as conn:
        people.update_employee(conn, actor, employee_id, name=name)


def test_a_change_is_shown_before_and_after(client: Client, seeded: Seeded,
                                            console_db: Database) -> None:
    _rename(console_db, seeded.zoe, "Zoé Martin")
    page = client(ADMIN).get("/console/audit").text
    assert "employee.update" in page
    assert "<del>Zoé O&#39;Brien</del>" in page and "<ins>Zoé Martin</ins>" in page


def test_html_in_a_value_is_shown_as_text(client: Client, seeded: Seeded,
                                          console_db: Database) -> None:
    _rename(console_db, seeded.zoe, "<b>bold</b>")
    page = client(ADMIN).get("/console/audit").text
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


def test_a_manager_sees_only_their_sites_entries(client: Client, seeded: Seeded,
                                                 console_db: Database) -> None:
    _rename(console_db, seeded.zoe, "Zoé A-side")
    _rename(console_db, seeded.carl, "Carl B-side")
    page = client(MANAGER_B).get("/console/audit").text
    assert "Carl B-side" in page and "Zoé A-side" not in page


def test_asking_for_another_sites_log_answers_404(client: Client, seeded: Seeded) -> None:
    assert client(MANAGER_B).get(f"/console/audit?site={seeded.site_a}").status_code == 404


def test_entries_of_no_site_are_for_hr_admins_only(client: Client, seeded: Seeded,
                                                   console_db: Database) -> None:
    client(ADMIN).act("/console/groups/new", {"name": "Night shift"})
    assert "group.create" in client(ADMIN).get("/console/audit").text
    assert "group.create" not in client(MANAGER_A).get("/console/audit").text


def test_site_it_and_viewers_read_their_sites_entries(client: Client, seeded: Seeded,
                                                      console_db: Database) -> None:
    _rename(console_db, seeded.zoe, "Zoé Seen")
    for email in (SITE_IT, VIEWER):
        assert "Zoé Seen" in client(email).get("/console/audit").text


def test_filtering_by_who_keeps_only_that_actors_changes(client: Client, seeded: Seeded,
                                                         console_db: Database) -> None:
    _rename(console_db, seeded.zoe, "By the CLI")
    _rename(console_db, seeded.ali, "By the console", Actor(f"console:{MANAGER_A}"))
    page = client(ADMIN).get("/console/audit", params={"actor": "MANAGER.A"}).text
    assert "By the console" in page and "By the CLI" not in page


def test_filtering_by_what_keeps_only_that_action(client: Client, seeded: Seeded,
                                                  console_db: Database) -> None:
    _rename(console_db, seeded.zoe, "Renamed")
    with console_db.write() as conn:
        people.update_employee(conn, CLI, seeded.carl, active=False)
    page = client(ADMIN).get("/console/audit", params={"action": "employee.disable"}).text
    assert "employee.disable" in page and "Renamed" not in page


def test_filtering_by_site_keeps_only_that_site(client: Client, seeded: Seeded,
                                                console_db: Database) -> None:
    _rename(console_db, seeded.zoe, "At A")
    _rename(console_db, seeded.carl, "At B")
    page = client(ADMIN).get("/console/audit", params={"site": seeded.site_b}).text
    assert "At B" in page and "At A" not in page


def test_filtering_by_dates_excludes_other_days(client: Client, seeded: Seeded,
                                                console_db: Database) -> None:
    _rename(console_db, seeded.zoe, "Today")
    c = client(ADMIN)
    assert "Today" not in c.get("/console/audit", params={"until": "2020-01-01"}).text
    assert "Today" in c.get("/console/audit", params={"since": "2020-01-01"}).text


def test_a_bad_date_is_an_error_on_its_field_not_a_500(client: Client, seeded: Seeded) -> None:
    response = client(ADMIN).get("/console/audit", params={"since": "31/12/2026"})
    assert response.status_code == 422
    assert 'id="since-error"' in response.text and "YYYY-MM-DD" in response.text


def test_the_log_cannot_be_changed_through_the_page(client: Client, seeded: Seeded) -> None:
    assert client(ADMIN).act("/console/audit", {}).status_code == 404


def test_the_log_needs_a_session(client: Client) -> None:
    response = client(None).get("/console/audit", follow_redirects=False)
    assert response.headers["location"] == "/console/login?next=/console/audit"
