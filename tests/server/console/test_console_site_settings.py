"""The site settings page: site IT and HR admins edit what a site's terminals follow,
checked with the terminals' rules; the PIN is typed, never shown, stored hashed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contract.pin import check_pin
from server.db import Database
from server.repo import audit, changes, site_settings
from tests.support.console_rig import (
    ADMIN,
    MANAGER_A,
    SITE_IT,
    VIEWER,
    ConsoleClient,
    Seeded,
)

Client = Callable[[str | None], ConsoleClient]
VALID = {"punch_mode": "messages_only", "theme": "light", "idle_language": "fr",
         "session_timeout_s": "45",
         "punch_undo_s": "5", "notice_s": "3", "replies_fr": "J'arrive\nMerci",
         "replies_en": "", "admin_badges": "0f00999999"}


def _settings(db: Database, site_id: int) -> dict[str, object]:
    with db.read() as conn:
        return site_settings.get(conn, site_id)


def test_site_it_saves_the_settings_of_its_site(client: Client, seeded: Seeded,
                                                console_db: Database) -> None:
    response = client(SITE_IT).act(f"/console/settings/{seeded.site_a}", VALID)
    assert response.status_code == 303
    saved = _settings(console_db, seeded.site_a)
    assert saved["punch_mode"] == "messages_only" and saved["session_timeout_s"] == 45
    assert saved["quick_replies"] == {"fr": ["J'arrive", "Merci"]}
    assert saved["admin_badges"] == ["0F00999999"]


def test_the_theme_is_saved_shown_chosen_and_sent_to_the_terminals(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    c = client(SITE_IT)
    c.act(f"/console/settings/{seeded.site_a}", VALID)
    with console_db.read() as conn:
        assert site_settings.wire(conn, seeded.site_a)["theme"] == "light"
    page = c.get(f"/console/settings/{seeded.site_a}").text
    assert '<option value="light" selected>' in page
    c.act(f"/console/settings/{seeded.site_a}", {**VALID, "theme": ""})
    assert _settings(console_db, seeded.site_a)["theme"] is None  # each terminal's config


def test_the_theme_field_is_labelled_in_french(client: Client, seeded: Seeded) -> None:
    c = client(SITE_IT)
    c.act("/console/account/language", {"language": "fr"})
    page = c.get(f"/console/settings/{seeded.site_a}").text
    assert "Thème" in page and "Sombre" in page and "Clair (contraste élevé" in page


def test_a_saved_change_reaches_the_sites_terminals_through_the_change_log(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    with console_db.read() as conn:
        before = changes.latest_id(conn)
    client(SITE_IT).act(f"/console/settings/{seeded.site_a}", VALID)
    with console_db.read() as conn:
        noted = changes.for_site(conn, seeded.site_a, before, 10)
    assert [(row.entity, row.entity_id) for row in noted] == [
        ("site_settings", str(seeded.site_a))]


def test_an_empty_field_leaves_it_to_each_terminals_config(client: Client, seeded: Seeded,
                                                           console_db: Database) -> None:
    c = client(SITE_IT)
    c.act(f"/console/settings/{seeded.site_a}", VALID)
    c.act(f"/console/settings/{seeded.site_a}", {**VALID, "session_timeout_s": ""})
    assert _settings(console_db, seeded.site_a)["session_timeout_s"] is None


@pytest.mark.parametrize(("name", "value", "error"), [
    ("session_timeout_s", "601", "from 5 to 600"),
    ("session_timeout_s", "ten", "from 5 to 600"),
    ("punch_mode", "sometimes", "Choose one of the options."),
    ("theme", "neon", "Choose one of the options."),
    ("replies_fr", "\n".join(f"r{i}" for i in range(7)), "Up to 6 different replies"),
    ("replies_fr", "x" * 41, "at most 40 characters"),
    ("admin_badges", "0F00 99", "without spaces"),
])
def test_a_value_the_terminals_refuse_is_shown_on_its_field(
        client: Client, seeded: Seeded, console_db: Database, name: str, value: str,
        error: str) -> None:
    response = client(SITE_IT).act(f"/console/settings/{seeded.site_a}",
                                   {**VALID, name: value})
    assert response.status_code == 422
    assert f'id="{name}-error"' in response.text and error in response.text
    assert _settings(console_db, seeded.site_a)["updated_at"] is None


def test_a_typed_pin_is_stored_hashed_and_never_shown(client: Client, seeded: Seeded,
                                                      console_db: Database) -> None:
    c = client(SITE_IT)
    c.act(f"/console/settings/{seeded.site_a}",
          {**VALID, "admin_pin": "482913", "admin_pin_again": "482913"})
    stored = _settings(console_db, seeded.site_a)["admin_pin_hash"]
    assert isinstance(stored, str) and check_pin("482913", stored)
    page = c.get(f"/console/settings/{seeded.site_a}").text
    assert "482913" not in page and stored not in page
    with console_db.read() as conn:
        logged = [e.changes for e in audit.entries(conn, "site")]
    assert logged and all("482913" not in e and stored not in e and "0F00999999" not in e
                          for e in logged)


def test_a_refused_form_does_not_echo_the_pin(client: Client, seeded: Seeded) -> None:
    response = client(SITE_IT).act(f"/console/settings/{seeded.site_a}",
                                   {**VALID, "admin_pin": "482913",
                                    "admin_pin_again": "482914"})
    assert response.status_code == 422 and "The two PINs differ." in response.text
    assert "48291" not in response.text


def test_a_pin_that_is_not_4_to_8_digits_is_refused(client: Client, seeded: Seeded) -> None:
    response = client(SITE_IT).act(f"/console/settings/{seeded.site_a}",
                                   {**VALID, "admin_pin": "12a", "admin_pin_again": "12a"})
    assert response.status_code == 422 and "4 to 8 digits" in response.text


def test_the_pin_can_be_removed(client: Client, seeded: Seeded, console_db: Database) -> None:
    c = client(SITE_IT)
    c.act(f"/console/settings/{seeded.site_a}",
          {**VALID, "admin_pin": "4829", "admin_pin_again": "4829"})
    c.act(f"/console/settings/{seeded.site_a}", {**VALID, "remove_pin": "on"})
    assert _settings(console_db, seeded.site_a)["admin_pin_hash"] is None


def test_a_save_is_audited_with_who_and_before_after(client: Client, seeded: Seeded,
                                                     console_db: Database) -> None:
    client(SITE_IT).act(f"/console/settings/{seeded.site_a}", VALID)
    with console_db.read() as conn:
        [entry] = audit.entries(conn, "site")
    assert entry.actor == "console:it@example.org" and entry.site_id == seeded.site_a
    assert '"punch_mode": [null, "messages_only"]' in entry.changes


def test_site_it_of_site_a_gets_404_for_site_b(client: Client, seeded: Seeded,
                                               console_db: Database) -> None:
    c = client(SITE_IT)
    assert c.get(f"/console/settings/{seeded.site_b}").status_code == 404
    assert c.act(f"/console/settings/{seeded.site_b}", VALID).status_code == 404
    assert _settings(console_db, seeded.site_b)["updated_at"] is None


@pytest.mark.parametrize("email", [MANAGER_A, VIEWER])
def test_roles_without_terminals_neither_see_nor_change_settings(
        client: Client, seeded: Seeded, console_db: Database, email: str) -> None:
    c = client(email)
    assert c.get("/console/settings").status_code == 403
    assert c.get(f"/console/settings/{seeded.site_a}").status_code == 403
    assert c.act(f"/console/settings/{seeded.site_a}", VALID).status_code == 403
    assert _settings(console_db, seeded.site_a)["updated_at"] is None


def test_the_list_shows_only_the_callers_sites(client: Client, seeded: Seeded) -> None:
    page = client(SITE_IT).get("/console/settings").text
    assert "Plant A" in page and "Plant B" not in page
    assert "Plant B" in client(ADMIN).get("/console/settings").text


def test_html_typed_in_a_quick_reply_is_shown_as_text(client: Client, seeded: Seeded) -> None:
    c = client(SITE_IT)
    c.act(f"/console/settings/{seeded.site_a}", {**VALID, "replies_en": "<i>ok</i>"})
    page = c.get(f"/console/settings/{seeded.site_a}").text
    assert "&lt;i&gt;ok&lt;/i&gt;" in page and "<i>ok</i>" not in page


def test_a_save_without_the_csrf_token_is_refused(client: Client, seeded: Seeded,
                                                  console_db: Database) -> None:
    response = client(SITE_IT).act(f"/console/settings/{seeded.site_a}", VALID, csrf=False)
    assert response.status_code == 403
    assert _settings(console_db, seeded.site_a)["updated_at"] is None
