"""Roles and sites are checked on the server for every page and action: typing the URL
of another site's person or message answers 404, a page the role lacks 403."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from server.db import Database
from server.repo import audit, directory, messages
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

# (method, path with {ids}, form): every page and action about site A's people or queue.
SITE_A_ENDPOINTS = [
    ("GET", "/console/people/{ali}", None),
    ("POST", "/console/people/{ali}", {"name": "X", "site_id": "{site_a}", "role": "worker",
                                       "language": "fr"}),
    ("POST", "/console/people/{ali}/disable", {}),
    ("POST", "/console/people/{ali}/badges/add", {"badge": "0F00FFFF01"}),
    ("POST", "/console/people/{ali}/badges/1/disable", {}),
    ("POST", "/console/people/{ali}/badges/1/remove", {}),
    ("GET", "/console/contacts/{ali}", None),
    ("POST", "/console/contacts/{ali}/add", {"employee": "{hana}"}),
    ("POST", "/console/contacts/{ali}/remove", {"employee": "{zoe}"}),
    ("POST", "/console/groups/{line}/members/remove", {"employee": "{ali}"}),
    ("POST", "/console/moderation/{pending_a}/approve", {}),
    ("POST", "/console/moderation/{pending_a}/reject", {"reason": "no"}),
    ("GET", "/console/moderation/{pending_a}/picture", None),
]


def _call(c: ConsoleClient, seeded: Seeded, method: str, path: str,
          form: dict[str, str] | None) -> int:
    ids = {k: getattr(seeded, k) for k in ("ali", "zoe", "hana", "line", "pending_a",
                                            "site_a")}
    url = path.format(**ids)
    if method == "GET":
        return c.get(url).status_code
    return c.act(url, {k: v.format(**ids) for k, v in (form or {}).items()}).status_code


@pytest.mark.parametrize(("method", "path", "form"), SITE_A_ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _ in SITE_A_ENDPOINTS])
def test_a_manager_of_site_b_gets_404_for_site_a(client: Client, seeded: Seeded,
                                                 console_db: Database, method: str, path: str,
                                                 form: dict[str, str] | None) -> None:
    assert _call(client(MANAGER_B), seeded, method, path, form) == 404
    with console_db.read() as conn:
        assert audit.entries(conn, "employee") == []
        assert messages.get(conn, seeded.pending_a).status == "pending"
        assert directory.get_employee(conn, seeded.ali).active


@pytest.mark.parametrize(("method", "path", "form"),
                         [e for e in SITE_A_ENDPOINTS if e[0] == "POST"],
                         ids=[f"{m} {p}" for m, p, _ in SITE_A_ENDPOINTS if m == "POST"])
def test_a_viewer_changes_nothing(client: Client, seeded: Seeded, console_db: Database,
                                  method: str, path: str, form: dict[str, str] | None) -> None:
    assert _call(client(VIEWER), seeded, method, path, form) == 403
    with console_db.read() as conn:
        assert [e.action for e in audit.entries(conn)
                if e.actor.startswith("console:")] == []


@pytest.mark.parametrize("path", ["/console/people", "/console/moderation", "/console/groups",
                                  "/console/contacts", "/console/people/new"])
def test_site_it_has_no_people_or_moderation_page(client: Client, path: str) -> None:
    assert client(SITE_IT).get(path).status_code == 403


def test_a_manager_sees_only_their_sites_people(client: Client, seeded: Seeded) -> None:
    page = client(MANAGER_B).get("/console/people").text
    assert "Carl B" in page and "Ali Ben" not in page


def test_a_manager_sees_only_their_sites_pending_messages(client: Client,
                                                          seeded: Seeded) -> None:
    page = client(MANAGER_A).get("/console/moderation").text
    assert "Can I leave at 4?" in page and "Forklift broken" not in page


def test_an_hr_admin_sees_every_site(client: Client, seeded: Seeded) -> None:
    page = client(ADMIN).get("/console/moderation").text
    assert "Can I leave at 4?" in page and "Forklift broken" in page


def test_a_manager_cannot_create_an_employee_at_another_site(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    response = client(MANAGER_A).act("/console/people/new", {
        "name": "Intruder", "site_id": str(seeded.site_b), "role": "worker", "language": "fr"})
    assert response.status_code == 422
    with console_db.read() as conn:
        assert "Intruder" not in {e.name for e in directory.list_employees(conn)}


def test_a_manager_cannot_move_their_employee_to_another_site(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    response = client(MANAGER_A).act(f"/console/people/{seeded.zoe}", {
        "name": "Zoé", "site_id": str(seeded.site_b), "role": "worker", "language": "fr"})
    assert response.status_code == 422
    with console_db.read() as conn:
        assert directory.get_employee(conn, seeded.zoe).site_id == seeded.site_a


def test_only_an_hr_admin_creates_groups(client: Client, seeded: Seeded) -> None:
    assert client(MANAGER_A).act("/console/groups/new", {"name": "New"}).status_code == 403
    assert client(ADMIN).act("/console/groups/new", {"name": "New"}).status_code == 303


def test_pages_without_a_session_lead_to_the_login(client: Client) -> None:
    response = client(None).get("/console/people", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console/people"


def test_unknown_ids_answer_404_not_500(client: Client) -> None:
    c = client(ADMIN)
    for path in ("/console/people/999999", "/console/people/abc", "/console/groups/999",
                 "/console/contacts/999999", "/console/moderation/nope/picture"):
        assert c.get(path).status_code == 404, path
    assert c.act("/console/contacts/1/add", {"employee": "999999"}).status_code == 404


def test_only_an_hr_admin_gives_the_hr_role(client: Client, seeded: Seeded,
                                            console_db: Database) -> None:
    form = {"name": "Zoé O'Brien", "site_id": str(seeded.site_a), "role": "hr",
            "language": "fr"}
    refused = client(MANAGER_A).act(f"/console/people/{seeded.zoe}", form)
    assert refused.status_code == 422 and "Only an HR administrator" in refused.text
    assert client(ADMIN).act(f"/console/people/{seeded.zoe}", form).status_code == 303
    with console_db.read() as conn:
        assert directory.get_employee(conn, seeded.zoe).role == "hr"


def test_a_refusal_is_shown_in_the_callers_frame_and_language(client: Client,
                                                              seeded: Seeded) -> None:
    c = client(MANAGER_B)
    c.act("/console/account/language", {"language": "fr"})
    page = c.get(f"/console/people/{seeded.ali}")
    assert page.status_code == 404
    assert "Introuvable" in page.text and 'aria-label="Principal"' in page.text
