"""Messages: contact lists, group posting rights, replies, receipts and acks."""

from __future__ import annotations

import pytest
from server_testkit import Terminal, World, item, of_type, text_message

from server.db import Database
from server.repo import directory
from server.services import messaging

READ_AT = "2026-03-02T08:05:00+01:00"


def test_message_to_a_contact_is_visible_at_recipient_site(
        terminal: Terminal, plant_b: Terminal, world: World) -> None:
    [result] = plant_b.push(text_message(world.carol, (world.alice,)))
    assert result["status"] == "accepted"
    [message] = of_type(terminal.pull_all()[0], "message")
    assert message["id"] == result["id"] == message["thread_id"]
    assert (message["sender_id"], message["recipients"], message["status"]) == (
        world.carol, [world.alice], "approved")
    assert message["body"] == "Forklift parked at gate 2"


def test_message_outside_contact_list_is_rejected(terminal: Terminal, world: World) -> None:
    [result] = terminal.push(text_message(world.alice, (world.carol,)))
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "not_in_contact_list"
    assert result["error"]["employee_id"] == world.carol


def test_group_post_by_member_without_post_right_is_rejected(
        plant_b: Terminal, world: World) -> None:
    [result] = plant_b.push(text_message(world.carol, to_groups=(world.line3,)))
    assert result["error"]["code"] == "group_post_not_allowed"
    assert result["error"]["group_id"] == world.line3


def test_group_missing_from_contact_list_is_rejected(terminal: Terminal, world: World) -> None:
    [result] = terminal.push(text_message(world.bob, to_groups=(world.line3,)))
    assert result["error"]["code"] == "not_in_contact_list"
    assert result["error"]["group_id"] == world.line3


def test_group_message_reaches_active_members_except_sender(
        terminal: Terminal, world: World) -> None:
    terminal.push(text_message(world.alice, to_groups=(world.line3,)))
    [message] = of_type(terminal.pull_all()[0], "message")
    assert message["recipients"] == [world.bob, world.carol]
    assert message["to_groups"] == [world.line3]


def test_message_to_disabled_employee_is_rejected(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        directory.update_employee(conn, world.bob, active=False)
    [result] = terminal.push(text_message(world.alice, (world.bob,)))
    assert result["error"]["code"] == "employee_inactive"


def test_message_from_disabled_sender_is_rejected(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        directory.update_employee(conn, world.alice, active=False)
    [result] = terminal.push(text_message(world.alice, (world.bob,)))
    assert result["error"]["code"] == "employee_inactive"
    assert result["error"]["employee_id"] == world.alice


@pytest.mark.usefixtures("staff_authority")
def test_hr_may_write_to_anyone_from_a_site_that_allows_staff_authority(
        terminal: Terminal, world: World) -> None:
    [result] = terminal.push(text_message(world.hr, (world.carol,)))
    assert result["status"] == "accepted"


@pytest.mark.usefixtures("staff_authority")
def test_reply_to_sender_is_allowed_outside_contact_list(
        terminal: Terminal, plant_b: Terminal, world: World) -> None:
    [question] = terminal.push(text_message(world.hr, (world.carol,), body="Overtime Sat?"))
    [answer] = plant_b.push(text_message(world.carol, (world.hr,), body="Yes",
                                         reply_to=question["id"]))
    assert answer["status"] == "accepted"
    replies = [m for m in of_type(terminal.pull_all()[0], "message") if m["id"] == answer["id"]]
    assert replies[0]["thread_id"] == question["id"]
    assert replies[0]["reply_to"] == question["id"]


@pytest.mark.usefixtures("staff_authority")
def test_reply_to_a_message_the_sender_never_saw_is_rejected(
        terminal: Terminal, world: World) -> None:
    [other] = terminal.push(text_message(world.hr, (world.bob,)))
    [result] = terminal.push(text_message(world.alice, (world.bob,), reply_to=other["id"]))
    assert result["error"]["code"] == "unknown_message"


def test_worker_may_not_require_acknowledgement(terminal: Terminal, world: World) -> None:
    [result] = terminal.push(text_message(world.alice, (world.bob,), ack_required=True))
    assert result["error"]["code"] == "not_allowed"


def test_photo_with_unknown_attachment_is_rejected(terminal: Terminal, world: World) -> None:
    photo = item("message", {"sender_id": world.alice, "to_employees": [world.bob],
                             "kind": "photo", "attachment_sha256": "ab" * 32})
    [result] = terminal.push(photo)
    assert result["error"]["code"] == "unknown_attachment"


def test_drawing_message_carries_its_strokes(terminal: Terminal, world: World) -> None:
    drawing = {"width": 800, "height": 480, "strokes": [
        {"color": "#ff0000", "width": 4.0, "points": [[1.0, 2.0], [30.5, 40.0]]}]}
    [result] = terminal.push(item("message", {
        "sender_id": world.alice, "to_employees": [world.bob], "kind": "drawing",
        "drawing": drawing}))
    assert result["status"] == "accepted"
    [message] = of_type(terminal.pull_all()[0], "message")
    assert message["drawing"] == drawing


@pytest.mark.usefixtures("staff_authority")
def test_receipt_sets_delivered_and_read_times_seen_by_sender_site(
        terminal: Terminal, plant_b: Terminal, world: World) -> None:
    _, cursor = terminal.pull_all()
    [sent] = terminal.push(text_message(world.hr, (world.carol,)))
    [receipt] = plant_b.push(item("receipt", {"message_id": sent["id"],
                                              "employee_id": world.carol, "read_at": READ_AT}))
    assert receipt["status"] == "accepted"
    [status] = of_type(terminal.pull_all(cursor)[0], "message_status")
    assert status["employee_id"] == world.carol
    assert status["read_at"] == status["delivered_at"] == "2026-03-02T07:05:00Z"
    assert status["acked_at"] is None


@pytest.mark.usefixtures("staff_authority")
def test_receipt_from_non_recipient_is_rejected(terminal: Terminal, world: World) -> None:
    [sent] = terminal.push(text_message(world.hr, (world.carol,)))
    [result] = terminal.push(item("receipt", {"message_id": sent["id"],
                                              "employee_id": world.bob, "read_at": READ_AT}))
    assert result["error"]["code"] == "not_a_recipient"


@pytest.mark.usefixtures("staff_authority")
def test_ack_of_message_not_asking_for_one_is_rejected(
        terminal: Terminal, plant_b: Terminal, world: World) -> None:
    [sent] = terminal.push(text_message(world.hr, (world.carol,)))
    [result] = plant_b.push(item("ack", {"message_id": sent["id"], "employee_id": world.carol,
                                         "acked_at": READ_AT}))
    assert result["error"]["code"] == "ack_not_required"


def test_ack_of_broadcast_is_recorded(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        message_id = messaging.broadcast(conn, world.hr, "New safety rules", site_id=world.site,
                                         ack_required=True)
    [result] = terminal.push(item("ack", {"message_id": message_id, "employee_id": world.alice,
                                          "acked_at": READ_AT}))
    assert result["status"] == "accepted"
    statuses = of_type(terminal.pull_all()[0], "message_status")
    assert [(s["employee_id"], s["acked_at"]) for s in statuses] == [
        (world.alice, "2026-03-02T07:05:00Z")]


def test_expired_message_is_sent_as_a_delete(terminal: Terminal, world: World) -> None:
    [sent] = terminal.push(text_message(world.alice, (world.bob,),
                                        expires_at="2020-01-01T00:00:00Z"))
    changes = terminal.pull_all()[0]
    assert {"type": "delete", "entity": "message", "id": sent["id"]} in changes
    assert of_type(changes, "message") == []
