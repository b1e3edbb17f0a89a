"""Moderation: HR approves messages of moderated employees and groups first."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from server_testkit import Terminal, World, item, of_type, text_message

from server.db import Database
from server.repo import Refused, directory, groups, messages


@pytest.fixture
def plant_b(enroll: Callable[..., Terminal], world: World, db: Database) -> Terminal:
    """Carol's terminal; Carol is moderated."""
    with db.write() as conn:
        directory.update_employee(conn, world.carol, moderated=True)
    return enroll(world.other_site, "plant B")


@pytest.fixture
def pending(plant_b: Terminal, world: World) -> str:
    [result] = plant_b.push(text_message(world.carol, (world.alice,)))
    assert result["status"] == "accepted"
    return result["id"]


def test_pending_message_shows_to_sender_site_as_pending(
        plant_b: Terminal, pending: str) -> None:
    [message] = of_type(plant_b.pull_all()[0], "message")
    assert (message["id"], message["status"]) == (pending, "pending")


def test_pending_message_is_hidden_from_recipients(terminal: Terminal, pending: str) -> None:
    assert of_type(terminal.pull_all()[0], "message") == []


def test_approved_message_becomes_visible_to_recipients(
        terminal: Terminal, db: Database, pending: str) -> None:
    _, cursor = terminal.pull_all()
    with db.write() as conn:
        messages.decide(conn, pending, approve=True, reason=None)
    [message] = of_type(terminal.pull_all(cursor)[0], "message")
    assert (message["id"], message["status"]) == (pending, "approved")


def test_approval_is_announced_to_sender_site(
        plant_b: Terminal, db: Database, pending: str) -> None:
    _, cursor = plant_b.pull_all()
    with db.write() as conn:
        messages.decide(conn, pending, approve=True, reason=None)
    [decision] = of_type(plant_b.pull_all(cursor)[0], "moderation")
    assert (decision["message_id"], decision["status"]) == (pending, "approved")


def test_rejected_message_shows_reason_to_sender_only(
        terminal: Terminal, plant_b: Terminal, db: Database, pending: str) -> None:
    with db.write() as conn:
        messages.decide(conn, pending, approve=False, reason="Keep it professional")
    sender_changes = plant_b.pull_all()[0]
    [message] = of_type(sender_changes, "message")
    assert (message["status"], message["rejection_reason"]) == (
        "rejected", "Keep it professional")
    assert of_type(sender_changes, "moderation")[0]["reason"] == "Keep it professional"
    assert of_type(terminal.pull_all()[0], "message") == []


def test_deciding_an_already_decided_message_is_refused(db: Database, pending: str) -> None:
    with db.write() as conn:
        messages.decide(conn, pending, approve=True, reason=None)
    with pytest.raises(Refused) as refused, db.write() as conn:
        messages.decide(conn, pending, approve=False, reason="late")
    assert refused.value.code == "not_pending"


def test_receipt_for_pending_message_is_rejected(
        terminal: Terminal, world: World, pending: str) -> None:
    [result] = terminal.push(item("receipt", {"message_id": pending, "employee_id": world.alice,
                                              "read_at": "2026-03-02T08:00:00Z"}))
    assert result["error"]["code"] == "unknown_message"


def test_message_to_moderated_group_is_pending(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        groups.set_group_moderated(conn, world.line3, True)
    terminal.push(text_message(world.alice, to_groups=(world.line3,)))
    [message] = of_type(terminal.pull_all()[0], "message")
    assert message["status"] == "pending"


@pytest.mark.usefixtures("staff_authority")
def test_hr_messages_are_never_moderated(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        groups.set_group_moderated(conn, world.line3, True)
    terminal.push(text_message(world.hr, to_groups=(world.line3,)))
    [message] = of_type(terminal.pull_all()[0], "message")
    assert message["status"] == "approved"
