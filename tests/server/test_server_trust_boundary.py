"""A terminal acts only for its own site: each cross-site action is refused, alone.

Every test pushes through real HTTP to the real server, as a hostile terminal (or a
token copied off a stolen one) would, and checks that nothing of the refused item
was stored while the rest of its batch went through.
"""

from __future__ import annotations

import pytest
from server_testkit import Terminal, World, item, of_type, punch, text_message
from sqlalchemy import func, select

from server.db import Database
from server.db.schema import message_recipients, messages, punches
from server.repo import directory, groups, site_settings
from server.repo import messages as message_repo
from server.services import messaging

READ_AT = "2026-03-02T08:05:00+01:00"


def _count(db: Database, table) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _code(result: dict) -> str | None:
    return result.get("error", {}).get("code")


def _hr_broadcast(db: Database, world: World, to: int, ack_required: bool = False) -> str:
    with db.write() as conn:
        return messaging.broadcast(conn, world.hr, "Safety briefing at 14:00",
                                   to_employees=[to], ack_required=ack_required)


# -- punches ---------------------------------------------------------------------------

def test_a_punch_for_an_employee_of_another_site_is_refused_alone(
        terminal: Terminal, db: Database, world: World) -> None:
    results = terminal.push(punch(world.carol), punch(world.alice))
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert _code(results[0]) == "not_on_this_site"
    assert _count(db, punches) == 1


def test_a_punch_for_an_employee_who_also_works_here_is_accepted(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        directory.set_other_sites(conn, world.carol, [world.site])
    [result] = terminal.push(punch(world.carol))
    assert result["status"] == "accepted"


def test_an_employee_who_also_works_here_has_their_badges_on_this_sites_terminals(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        directory.add_badge(conn, world.carol, "0F00CA7017")
    _, cursor = terminal.pull_all()
    with db.write() as conn:
        directory.set_other_sites(conn, world.carol, [world.site])
    changes, cursor = terminal.pull_all(cursor)
    assert [b["uid"] for b in of_type(changes, "badge")] == ["0F00CA7017"]
    with db.write() as conn:
        directory.set_other_sites(conn, world.carol, [])
    changes, _ = terminal.pull_all(cursor)
    assert [c["entity"] for c in of_type(changes, "delete")] == ["badge", "contact_list"]


def test_voiding_a_punch_made_by_another_terminal_of_the_site_is_refused(
        terminal: Terminal, enroll, db: Database, world: World) -> None:
    the_punch = punch(world.alice)
    terminal.push(the_punch)
    neighbour = enroll(world.site, "second clock, same hall")
    [result] = neighbour.push(item("punch_void", {"punch_id": the_punch["id"]}))
    assert _code(result) == "unknown_punch"
    with db.read() as conn:
        assert conn.execute(select(punches.c.voided_at)).scalar_one() is None


def test_a_terminal_may_void_its_own_punch(terminal: Terminal, world: World) -> None:
    the_punch = punch(world.alice)
    terminal.push(the_punch)
    [result] = terminal.push(item("punch_void", {"punch_id": the_punch["id"]}))
    assert result["status"] == "accepted"


# -- messages, receipts, acknowledgements -------------------------------------------------

def test_a_message_sent_as_an_employee_of_another_site_is_refused(
        terminal: Terminal, db: Database, world: World) -> None:
    [result] = terminal.push(text_message(world.carol, (world.alice,)))
    assert _code(result) == "not_on_this_site"
    assert _count(db, messages) == 0


def test_hr_writing_from_a_terminal_is_held_to_a_workers_contact_list_by_default(
        terminal: Terminal, db: Database, world: World) -> None:
    [result] = terminal.push(text_message(world.hr, (world.bob,)))
    assert _code(result) == "not_in_contact_list"
    assert _count(db, messages) == 0


def test_a_manager_may_not_ask_for_an_acknowledgement_from_a_terminal_by_default(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        groups.set_contacts(conn, world.bob, [world.alice], [])
    [result] = terminal.push(text_message(world.bob, (world.alice,), ack_required=True))
    assert _code(result) == "not_allowed"


def test_hr_messages_from_a_terminal_are_moderated_like_a_workers_by_default(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        groups.set_contacts(conn, world.hr, [], [world.line3])
        groups.set_member(conn, world.line3, world.hr, can_post=True)
        groups.set_group_moderated(conn, world.line3, True)
    [result] = terminal.push(text_message(world.hr, to_groups=(world.line3,)))
    with db.read() as conn:
        assert message_repo.get(conn, result["id"]).status == "pending"


def test_a_site_setting_gives_hr_its_authority_on_that_sites_terminals_only(
        terminal: Terminal, plant_b: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        site_settings.update_settings(conn, world.other_site, {"terminal_staff_authority": True})
        directory.set_other_sites(conn, world.hr, [world.other_site])
    [here] = terminal.push(text_message(world.hr, (world.bob,)))
    [there] = plant_b.push(text_message(world.hr, (world.bob,)))
    assert (_code(here), there["status"]) == ("not_in_contact_list", "accepted")


@pytest.mark.parametrize(("kind", "time_field", "column"), [
    ("receipt", "read_at", message_recipients.c.read_at),
    ("ack", "acked_at", message_recipients.c.acked_at),
], ids=["receipt", "acknowledgement"])
def test_a_receipt_or_an_acknowledgement_for_an_employee_of_another_site_is_refused(
        terminal: Terminal, db: Database, world: World, kind: str, time_field: str,
        column) -> None:
    message_id = _hr_broadcast(db, world, to=world.carol, ack_required=kind == "ack")
    [result] = terminal.push(item(kind, {"message_id": message_id, "employee_id": world.carol,
                                         time_field: READ_AT}))
    assert _code(result) == "not_on_this_site"
    with db.read() as conn:
        assert conn.execute(select(column)).scalar_one() is None


def test_the_recipients_own_site_may_acknowledge(
        plant_b: Terminal, db: Database, world: World) -> None:
    message_id = _hr_broadcast(db, world, to=world.carol, ack_required=True)
    [result] = plant_b.push(item("ack", {"message_id": message_id, "employee_id": world.carol,
                                         "acked_at": READ_AT}))
    assert result["status"] == "accepted"


@pytest.mark.parametrize("kind", ["punch", "message", "receipt", "ack"])
def test_an_employee_id_that_does_not_exist_is_unknown_not_off_site(
        terminal: Terminal, world: World, kind: str) -> None:
    items = {
        "punch": punch(4242),
        "message": text_message(4242, (world.alice,)),
        "receipt": item("receipt", {"message_id": "6f1e4b43-5d7c-4c55-9d5c-111111111111",
                                    "employee_id": 4242, "read_at": READ_AT}),
        "ack": item("ack", {"message_id": "6f1e4b43-5d7c-4c55-9d5c-111111111111",
                            "employee_id": 4242, "acked_at": READ_AT}),
    }
    [result] = terminal.push(items[kind])
    assert _code(result) == "unknown_employee"
