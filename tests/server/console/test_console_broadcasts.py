"""Broadcasts: compose (preview, send), the report with who is missing and their last
punch on site, the CSV, the reminder, the list; role and site checks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from server.console.pages import broadcasts as broadcast_pages
from server.db import Database
from server.repo import audit, changes, directory, messages
from tests.support.broadcast_rig import link, receipt
from tests.support.console_rig import ADMIN, MANAGER_A, MANAGER_B, VIEWER, ConsoleClient, Seeded
from tests.support.punch_rig import punch, terminal

Client = Callable[[str | None], ConsoleClient]


def _send(c: ConsoleClient, **form: object) -> str:
    response = c.act("/console/broadcasts/new", {"do": "send", "ack": "on", **form})
    assert response.status_code == 303, response.text[-2000:]
    return response.headers["location"].split("/")[-1].split("?")[0]


def test_a_broadcast_to_a_group_reaches_its_members(client: Client, linked: Seeded,
                                                    console_db: Database) -> None:
    message_id = _send(client(ADMIN), body="Safety briefing at 14:00", group=str(linked.line))
    with console_db.read() as conn:
        row = messages.get(conn, message_id)
        to = {r.employee_id for r in messages.recipients(conn, [message_id])[message_id]}
    assert row.ack_required and to == {linked.ali, linked.carl}


def test_the_preview_shows_the_text_as_text_and_sends_nothing(client: Client, linked: Seeded,
                                                              console_db: Database) -> None:
    response = client(ADMIN).act("/console/broadcasts/new", {
        "do": "preview", "body": "<b>Hi</b>", "site": str(linked.site_a)})
    assert response.status_code == 200 and "&lt;b&gt;Hi&lt;/b&gt;" in response.text
    with console_db.read() as conn:
        assert audit.entries(conn, "message") == []


def test_people_are_picked_by_name(client: Client, linked: Seeded,
                                   console_db: Database) -> None:
    message_id = _send(client(MANAGER_A), body="Hello", people="zoe o'brien")
    with console_db.read() as conn:
        to = [r.employee_id for r in messages.recipients(conn, [message_id])[message_id]]
    assert to == [linked.zoe]


def test_an_unknown_name_is_an_error_on_its_field(client: Client, linked: Seeded) -> None:
    response = client(MANAGER_A).act("/console/broadcasts/new", {
        "do": "send", "body": "Hello", "people": "Nobody Here"})
    assert response.status_code == 422 and 'id="people-error"' in response.text


def test_a_manager_cannot_target_another_site_nor_its_people(client: Client, linked: Seeded,
                                                             console_db: Database) -> None:
    c = client(MANAGER_A)
    assert c.act("/console/broadcasts/new", {"do": "send", "body": "x",
                                             "site": str(linked.site_b)}).status_code == 422
    assert c.act("/console/broadcasts/new", {"do": "send", "body": "x",
                                             "people": "Carl B"}).status_code == 422
    assert c.act("/console/broadcasts/new", {"do": "send", "body": "x",
                                             "group": str(linked.line)}).status_code == 422
    with console_db.read() as conn:
        assert audit.entries(conn, "message") == []


def test_a_viewer_cannot_send(client: Client, linked: Seeded) -> None:
    assert client(VIEWER).act("/console/broadcasts/new", {
        "do": "send", "body": "x", "site": str(linked.site_a)}).status_code == 403


def test_an_account_without_an_employee_is_told_so(client: Client, seeded: Seeded) -> None:
    response = client(ADMIN).act("/console/broadcasts/new", {
        "do": "send", "body": "x", "site": str(seeded.site_a)})
    assert response.status_code == 422 and "not linked to an employee" in response.text


def test_the_report_counts_and_names_who_has_not_acknowledged(
        client: Client, linked: Seeded, console_db: Database) -> None:
    message_id = _send(client(ADMIN), body="Read me", group=str(linked.line))
    receipt(console_db, message_id, linked.ali, acked=True)
    page = client(ADMIN).get(f"/console/broadcasts/{message_id}").text
    assert "1 of 2 read, 1 acknowledged" in page
    missing = page.split("Not read or not acknowledged")[1]
    assert "Carl B" in missing and "Ali Ben" not in missing


def test_the_report_tells_was_on_site_from_has_not_been_in(
        client: Client, linked: Seeded, console_db: Database) -> None:
    message_id = _send(client(ADMIN), body="Read me", site=str(linked.site_a))
    gate = terminal(console_db, linked.site_a, "Gate A")
    with console_db.read() as conn:
        sent_at = messages.get(conn, message_id).created_at
    punch(console_db, gate, linked.ali, "IN", sent_at + timedelta(minutes=5))
    rows = {r["employee"]: r for r in csv.DictReader(io.StringIO(client(ADMIN).get(
        f"/console/broadcasts/{message_id}/missing.csv").content.decode("utf-8-sig")))}
    assert rows["Ali Ben"]["last_punch_on_site_since_sent"] != ""
    assert rows["Zoé O'Brien"]["last_punch_on_site_since_sent"] == ""


def test_a_reminder_announces_the_message_again_to_its_recipients_sites(
        client: Client, linked: Seeded, console_db: Database) -> None:
    c = client(ADMIN)
    message_id = _send(c, body="Read me", group=str(linked.line))
    receipt(console_db, message_id, linked.ali, acked=True)
    with console_db.read() as conn:
        before = changes.latest_id(conn)
    assert c.act(f"/console/broadcasts/{message_id}/remind").status_code == 303
    with console_db.read() as conn:
        noted = changes.for_site(conn, linked.site_b, before, 10)
        [entry] = [e for e in audit.entries(conn, "message") if e.action == "broadcast.remind"]
    assert ("message", message_id) in {(r.entity, r.entity_id) for r in noted}
    assert '"reminded": [null, 1]' in entry.changes


def test_another_sites_broadcast_is_not_found(client: Client, linked: Seeded) -> None:
    message_id = _send(client(ADMIN), body="Plant A only", site=str(linked.site_a))
    c = client(MANAGER_B)
    assert c.get(f"/console/broadcasts/{message_id}").status_code == 404
    assert c.get(f"/console/broadcasts/{message_id}/missing.csv").status_code == 404
    assert c.act(f"/console/broadcasts/{message_id}/remind").status_code == 404
    assert "Plant A only" not in c.get("/console/broadcasts").text


def test_the_list_searches_the_text_and_filters_by_sender(client: Client, linked: Seeded,
                                                         console_db: Database) -> None:
    c = client(ADMIN)
    _send(c, body="Fire drill on Friday", site=str(linked.site_a))
    link(console_db, ADMIN, linked.ali)
    _send(c, body="Canteen closed", site=str(linked.site_b))
    assert "Canteen" not in c.get("/console/broadcasts?q=fire").text
    page = c.get("/console/broadcasts?sender=ali").text
    assert "Canteen closed" in page and "Fire drill" not in page


def test_the_audit_entry_of_a_broadcast_holds_no_text(client: Client, linked: Seeded,
                                                      console_db: Database) -> None:
    _send(client(ADMIN), body="Secret plans", site=str(linked.site_a))
    with console_db.read() as conn:
        [entry] = audit.entries(conn, "message")
    assert entry.action == "broadcast.send" and "Secret" not in entry.changes


def test_a_long_report_shows_the_first_names_and_links_to_all_of_them(
        client: Client, linked: Seeded, console_db: Database) -> None:
    with console_db.write() as conn:  # names sorted between Ali's and Zoé's
        for i in range(broadcast_pages.REPORT_NAMES):
            directory.create_employee(conn, f"Worker {i:04d}", linked.site_a)
    c = client(ADMIN)
    message_id = _send(c, body="Read me", site=str(linked.site_a))
    first = c.get(f"/console/broadcasts/{message_id}").text.split("Not read or not")[1]
    shown, total = broadcast_pages.REPORT_NAMES, broadcast_pages.REPORT_NAMES + 2
    assert f"The first {shown} of {total}, by name." in first
    assert "Ali Ben" in first and "Zoé O" not in first
    every = c.get(f"/console/broadcasts/{message_id}?all=1").text.split("Not read or not")[1]
    assert "Ali Ben" in every and "Zoé O" in every and "The first" not in every
