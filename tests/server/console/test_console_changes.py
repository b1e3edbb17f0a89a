"""What the console changes: through the same functions as the CLI (change log for the
terminals, audit log), forms checked on the server, every field shown as text."""

from __future__ import annotations

import json
from collections.abc import Callable

from server.db import Database
from server.repo import audit, changes, directory, groups, messages
from tests.support.console_rig import ADMIN, MANAGER_A, ConsoleClient, Seeded

Client = Callable[[str | None], ConsoleClient]


def _new_employee(c: ConsoleClient, seeded: Seeded, **fields: str) -> str:
    form = {"name": "Nadia", "site_id": str(seeded.site_a), "role": "worker",
            "language": "fr", **fields}
    response = c.act("/console/people/new", form)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_creating_an_employee_with_a_badge_reaches_the_change_log_and_the_audit_log(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    with console_db.read() as conn:
        before = changes.latest_id(conn)
    location = _new_employee(client(MANAGER_A), seeded, badge="0f00cc0003")
    employee_id = int(location.split("/")[-1].split("?")[0])
    with console_db.read() as conn:
        assert [b.uid for b in directory.list_badges(conn, employee_id)] == ["0F00CC0003"]
        logged = {(r.entity, r.entity_id) for r in changes.for_site(conn, seeded.site_a,
                                                                    before, 100)}
        entries = audit.entries(conn)
    assert ("employee", str(employee_id)) in logged and ("badge", "2") in logged
    assert [(e.action, e.actor) for e in entries[:2]] == [
        ("badge.add", f"console:{MANAGER_A}"), ("employee.create", f"console:{MANAGER_A}")]
    assert json.loads(entries[1].changes)["name"] == [None, "Nadia"]


def test_names_with_accents_apostrophes_and_other_scripts_round_trip(
        client: Client, seeded: Seeded) -> None:
    c = client(ADMIN)
    for name in ("Zoë D'Arcy-Lefèvre", "عليّ بن سالم", "山田 太郎"):
        page = c.get(_new_employee(c, seeded, name=name)).text
        assert f"<h1>{name.replace(chr(39), '&#39;')}" in page


def test_html_in_a_field_is_shown_as_text(client: Client, seeded: Seeded) -> None:
    c = client(ADMIN)
    page = c.get(_new_employee(c, seeded, name="<script>alert(1)</script>")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_form_with_errors_is_shown_again_with_each_field_error(client: Client,
                                                                 seeded: Seeded) -> None:
    response = client(ADMIN).act("/console/people/new", {
        "name": "", "site_id": "abc", "role": "boss", "language": "xx"})
    assert response.status_code == 422
    for text in ("Enter a name.", "Choose one of your sites.", "Choose a role.",
                 "Choose a language."):
        assert text in response.text


def test_form_errors_are_in_the_accounts_language(client: Client, seeded: Seeded) -> None:
    c = client(ADMIN)
    c.act("/console/account/language", {"language": "fr", "next": "/console/people"})
    response = c.act("/console/people/new", {"name": ""})
    assert response.status_code == 422 and "Saisissez un nom." in response.text
    assert '<html lang="fr">' in response.text


def test_a_duplicate_badge_is_shown_on_the_form_and_nothing_is_created(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    response = client(ADMIN).act("/console/people/new", {
        "name": "Twin", "site_id": str(seeded.site_a), "role": "worker", "language": "fr",
        "badge": "0F00AA0001"})
    assert response.status_code == 422 and "already registered" in response.text
    with console_db.read() as conn:
        assert "Twin" not in {e.name for e in directory.list_employees(conn)}


def test_a_lost_badge_is_disabled_and_audited(client: Client, seeded: Seeded,
                                              console_db: Database) -> None:
    with console_db.read() as conn:
        [badge] = directory.list_badges(conn, seeded.ali)
    assert client(MANAGER_A).act(
        f"/console/people/{seeded.ali}/badges/{badge.id}/disable").status_code == 303
    with console_db.read() as conn:
        assert not directory.list_badges(conn, seeded.ali)[0].active
        assert audit.entries(conn, "badge")[0].action == "badge.disable"


def test_a_contact_is_added_and_removed_by_id_picked_from_names(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    c = client(MANAGER_A)
    page = c.get(f"/console/contacts/{seeded.ali}", params={"find": "hana"}).text
    assert "Hana HR" in page and f'name="employee" value="{seeded.hana}"' in page
    c.act(f"/console/contacts/{seeded.ali}/add", {"employee": str(seeded.hana)})
    c.act(f"/console/contacts/{seeded.ali}/remove", {"employee": str(seeded.zoe)})
    with console_db.read() as conn:
        assert groups.contacts(conn, seeded.ali) == ([seeded.hana], [])
        assert [e.action for e in audit.entries(conn, "contact_list")] == ["contacts.set"] * 2


def test_who_can_write_to_whom_shows_both_directions(client: Client, seeded: Seeded) -> None:
    page = client(ADMIN).get(f"/console/contacts/{seeded.zoe}").text
    reach = page.split("Who can write to")[1]
    assert "Ali Ben" in reach


def test_bulk_contacts_preview_counts_the_workers_who_change(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    c = client(ADMIN)
    page = c.get("/console/contacts/bulk", params={"group": seeded.line, "emp": seeded.zoe}).text
    # Ali already has Zoé: only Carl changes.
    assert "1 worker will change" in page
    assert c.act("/console/contacts/bulk", {"group": str(seeded.line),
                                            "emp": str(seeded.zoe)}).status_code == 303
    with console_db.read() as conn:
        assert groups.contacts(conn, seeded.carl)[0] == [seeded.zoe]


def test_a_bulk_change_by_a_manager_leaves_other_sites_members_alone(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    c = client(MANAGER_A)
    c.act("/console/contacts/bulk", {"group": str(seeded.line), "emp": str(seeded.hana)})
    with console_db.read() as conn:
        assert seeded.hana in groups.contacts(conn, seeded.ali)[0]
        assert groups.contacts(conn, seeded.carl)[0] == []


def test_a_second_moderator_is_told_it_was_already_decided(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    first, second = client(ADMIN), client(MANAGER_A)
    assert first.act(f"/console/moderation/{seeded.pending_a}/approve") \
        .headers["location"].endswith("done=approved")
    answer = second.act(f"/console/moderation/{seeded.pending_a}/reject", {"reason": "No"})
    assert answer.headers["location"].endswith("done=already")
    assert "already decided" in second.get(answer.headers["location"]).text
    with console_db.read() as conn:
        assert messages.get(conn, seeded.pending_a).status == "approved"
        assert [e.action for e in audit.entries(conn, "message")] == ["message.approve"]


def test_a_rejection_needs_a_reason_and_keeps_it_for_the_sender(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    c = client(ADMIN)
    refused = c.act(f"/console/moderation/{seeded.pending_b}/reject", {"reason": ""})
    assert refused.status_code == 422 and "Give the sender a reason" in refused.text
    c.act(f"/console/moderation/{seeded.pending_b}/reject", {"reason": "Use the radio"})
    with console_db.read() as conn:
        message = messages.get(conn, seeded.pending_b)
        entry = audit.entries(conn, "message")[0]
    assert (message.status, message.rejection_reason) == ("rejected", "Use the radio")
    assert json.loads(entry.changes)["rejection_reason"] == [None, "Use the radio"]
    assert "Forklift" not in entry.changes  # the body never goes to the audit log


def test_bulk_approve_decides_each_ticked_message(client: Client, seeded: Seeded,
                                                  console_db: Database) -> None:
    c = client(ADMIN)
    c.post("/console/moderation/bulk", data={
        "csrf_token": c.csrf, "message": [seeded.pending_a, seeded.pending_b]})
    with console_db.read() as conn:
        assert {messages.get(conn, m).status
                for m in (seeded.pending_a, seeded.pending_b)} == {"approved"}


def test_the_pending_count_is_scoped_to_the_moderators_sites(client: Client,
                                                            seeded: Seeded) -> None:
    assert ">1<" in client(MANAGER_A).get("/console/moderation/count").text
    assert ">2<" in client(ADMIN).get("/console/moderation/count").text


def test_dates_are_shown_in_the_sites_timezone(client: Client, seeded: Seeded) -> None:
    page = client(ADMIN).get("/console/moderation").text
    assert "CET" in page or "CEST" in page  # Plant A: Europe/Paris
    assert "EST" in page or "EDT" in page  # Plant B: America/Montreal


def test_bulk_approve_skips_a_message_of_another_site(client: Client, seeded: Seeded,
                                                      console_db: Database) -> None:
    c = client(MANAGER_A)
    c.post("/console/moderation/bulk", data={
        "csrf_token": c.csrf, "message": [seeded.pending_b, seeded.pending_a]})
    with console_db.read() as conn:
        assert messages.get(conn, seeded.pending_a).status == "approved"
        assert messages.get(conn, seeded.pending_b).status == "pending"


def test_the_queue_is_searched_by_sender_or_text(client: Client, seeded: Seeded) -> None:
    c = client(ADMIN)
    by_text = c.get("/console/moderation", params={"q": "forklift"}).text
    assert "Forklift broken" in by_text and "Can I leave at 4?" not in by_text
    by_sender = c.get("/console/moderation", params={"q": "ali"}).text
    assert "Can I leave at 4?" in by_sender and "Forklift broken" not in by_sender


def test_people_are_found_and_sorted_ignoring_case_and_accents(client: Client,
                                                               seeded: Seeded) -> None:
    c = client(ADMIN)
    for name in ("Élodie Faure", "Émile Zola"):
        _new_employee(c, seeded, name=name)
    found = c.get("/console/people", params={"q": "elodie"}).text
    assert "Élodie Faure" in found and "Émile Zola" not in found
    listed = c.get("/console/people").text
    assert listed.index("Élodie Faure") < listed.index("Hana HR") < listed.index("Zoé O")


def test_choosing_a_contact_on_the_bulk_page_keeps_those_chosen_before(
        client: Client, seeded: Seeded) -> None:
    page = client(ADMIN).get("/console/contacts/bulk", params=[
        ("group", seeded.line), ("emp", seeded.zoe), ("emp", seeded.hana), ("find", "carl")]).text
    choose = next(line for line in page.splitlines() if "Choose" in line and "emp=" in line)
    assert choose.count("emp=") == 3  # Zoé, Hana, and Carl being chosen
