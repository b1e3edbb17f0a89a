"""Punches: recorded with their outbox row in one transaction, direction from the last state."""

import json

import pytest

from kiosk.domain.models import Direction, OutcomeKind
from kiosk.storage import transaction


def outbox(terminal):
    return [
        (kind, json.loads(payload))
        for kind, payload in terminal.db.execute("SELECT kind, payload FROM outbox ORDER BY seq")
    ]


def test_a_known_badge_records_a_punch_and_its_outbox_row(terminal):
    outcome = terminal.present_badge("0F00123456")
    assert outcome.kind is OutcomeKind.WELCOME
    assert outcome.employee.first_name == "Camille"
    [(kind, payload)] = outbox(terminal)
    assert kind == "punch"
    assert payload["employee_id"] == 1
    assert payload["direction"] == "IN"
    assert set(payload) >= {"wall_time", "monotonic_ns", "boot_id"}


def test_the_outbox_item_id_is_the_punch_id(terminal):
    punch = terminal.present_badge("0F00123456").punch
    assert terminal.db.execute("SELECT id FROM outbox").fetchone()[0] == punch.id


def test_the_first_punch_is_in_and_the_next_one_out(terminal):
    assert terminal.present_badge("0F00123456").punch.direction is Direction.IN
    assert terminal.present_badge("0F00123456").punch.direction is Direction.OUT
    assert terminal.present_badge("0F00123456").punch.direction is Direction.IN


def test_an_unknown_badge_records_nothing(terminal):
    assert terminal.present_badge("0BADBADBAD").kind is OutcomeKind.UNKNOWN_BADGE
    assert outbox(terminal) == []


def test_a_disabled_badge_is_refused_and_records_nothing(terminal):
    outcome = terminal.present_badge("0A0000C009")
    assert outcome.kind is OutcomeKind.DISABLED
    assert outbox(terminal) == []


def test_switching_voids_the_punch_and_records_the_other_direction(terminal):
    first = terminal.present_badge("0F00123456").punch
    second = terminal.switch_punch(first.id)
    assert second.direction is Direction.OUT
    assert [k for k, _ in outbox(terminal)] == ["punch", "punch_void", "punch"]
    assert terminal.punches.last_punch(1).id == second.id


def test_undo_keeps_the_punch_marked_void_and_queues_the_void(terminal):
    punch = terminal.present_badge("0F00123456").punch
    terminal.undo_punch(punch.id)
    assert terminal.db.execute("SELECT voided FROM punches WHERE id = ?", [punch.id]).fetchone()[0]
    assert outbox(terminal)[-1] == ("punch_void", {"punch_id": punch.id})
    assert terminal.punches.next_direction(1) is Direction.IN


def test_a_punch_cannot_be_voided_twice(terminal):
    punch = terminal.present_badge("0F00123456").punch
    terminal.undo_punch(punch.id)
    with pytest.raises(KeyError):
        terminal.undo_punch(punch.id)


def test_a_punch_is_on_disk_when_record_returns(terminal, tmp_path):
    punch = terminal.present_badge("0F00123456").punch
    from kiosk.storage import open_database

    other = open_database(tmp_path / "kiosk.sqlite3")  # a second connection sees it committed
    assert other.execute("SELECT count(*) FROM punches WHERE id = ?", [punch.id]).fetchone()[0]
    assert other.execute("SELECT count(*) FROM outbox WHERE id = ?", [punch.id]).fetchone()[0]


def test_an_outbox_enqueue_outside_a_transaction_is_refused(terminal):
    from kiosk.storage.outbox import Outbox

    with pytest.raises(RuntimeError, match="transaction"):
        Outbox(terminal.db).enqueue(terminal.db.conn, "punch", {})


def test_outbox_pending_lists_items_oldest_first(terminal):
    from kiosk.storage.outbox import Outbox

    with transaction(terminal.db) as conn:
        Outbox(terminal.db).enqueue(conn, "a", {"n": 1})
        Outbox(terminal.db).enqueue(conn, "b", {"n": 2})
    assert [i.kind for i in Outbox(terminal.db).pending()] == ["a", "b"]
    assert Outbox(terminal.db).depth() == 2
