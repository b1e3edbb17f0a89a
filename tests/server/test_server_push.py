"""POST /v1/push: punches, voids, deduplication and per-item rejection."""

from __future__ import annotations

from datetime import UTC, datetime

from server_testkit import WALL_TIME, Terminal, World, item, punch, text_message
from sqlalchemy import func, select

from server.db import Database
from server.db.schema import messages, punches, push_log
from server.repo import directory


def _count(db: Database, table) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_punch_is_stored_with_clock_data_server_time_and_terminal(
        terminal: Terminal, db: Database, world: World) -> None:
    before = datetime.now(UTC)
    [result] = terminal.push(punch(world.alice, "IN"))
    assert result["status"] == "accepted"
    with db.read() as conn:
        row = conn.execute(select(punches)).one()
    assert row.id == result["id"]
    assert (row.employee_id, row.direction, row.terminal_id) == (
        world.alice, "IN", terminal.terminal_id)
    assert row.wall_time == WALL_TIME  # offset kept as the device sent it
    assert (row.monotonic_ns, row.boot_id) == (123_456_789, "boot-1")
    assert before <= row.received_at <= datetime.now(UTC)


def test_retried_item_is_reported_duplicate_and_stored_once(
        terminal: Terminal, db: Database, world: World) -> None:
    the_punch = punch(world.alice)
    first = terminal.push(the_punch)
    retry = terminal.push(the_punch)
    assert first[0]["status"] == "accepted"
    assert retry == [{"id": the_punch["id"], "status": "duplicate",
                      "original_status": "accepted"}]
    assert _count(db, punches) == 1


def test_same_item_twice_in_one_batch_is_stored_once(
        terminal: Terminal, db: Database, world: World) -> None:
    the_punch = punch(world.alice)
    results = terminal.push(the_punch, the_punch)
    assert [r["status"] for r in results] == ["accepted", "duplicate"]
    assert _count(db, punches) == 1


def test_retry_of_rejected_item_returns_the_original_error(
        terminal: Terminal, world: World) -> None:
    bad = punch(999)
    [first] = terminal.push(bad)
    [retry] = terminal.push(bad)
    assert first["status"] == "rejected"
    assert retry["status"] == "duplicate"
    assert retry["original_status"] == "rejected"
    assert retry["error"] == first["error"]


def test_dedup_survives_server_restart_and_new_enrollment(
        terminal: Terminal, enroll, db: Database, world: World) -> None:
    the_punch = punch(world.alice)
    terminal.push(the_punch)
    reenrolled = enroll(world.site, "same box, new token")
    assert reenrolled.push(the_punch)[0]["status"] == "duplicate"
    assert _count(db, punches) == 1


def test_punch_of_disabled_employee_is_rejected(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        directory.update_employee(conn, world.alice, active=False)
    [result] = terminal.push(punch(world.alice))
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "employee_inactive"
    assert result["error"]["employee_id"] == world.alice
    assert _count(db, punches) == 0


def test_punch_of_unknown_employee_is_rejected(terminal: Terminal, world: World) -> None:
    [result] = terminal.push(punch(4242))
    assert result["error"]["code"] == "unknown_employee"
    assert result["error"]["employee_id"] == 4242


def test_rejected_item_does_not_stop_the_rest_of_the_batch(
        terminal: Terminal, db: Database, world: World) -> None:
    results = terminal.push(punch(world.alice), punch(4242), punch(world.bob, "OUT"))
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert _count(db, punches) == 2
    assert _count(db, push_log) == 3


def test_invalid_payload_is_rejected_per_item_with_details(
        terminal: Terminal, world: World) -> None:
    naive_time = punch(world.alice, wall_time="2026-03-02T07:58:00")
    results = terminal.push(naive_time, punch(world.alice))
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["code"] == "invalid_payload"
    assert results[0]["error"]["details"][0]["loc"] == ["wall_time"]
    assert results[1]["status"] == "accepted"


def test_unknown_item_kind_is_rejected_per_item(terminal: Terminal, world: World) -> None:
    [result] = terminal.push(item("coffee", {}))
    assert result["error"]["code"] == "unknown_kind"


def test_punch_void_marks_the_punch_void_without_deleting_it(
        terminal: Terminal, db: Database, world: World) -> None:
    the_punch = punch(world.alice, "IN")
    void = item("punch_void", {"punch_id": the_punch["id"], "reason": "meant OUT"}, seq=2)
    results = terminal.push(the_punch, void, punch(world.alice, "OUT"))
    assert [r["status"] for r in results] == ["accepted"] * 3
    with db.read() as conn:
        row = conn.execute(select(punches).where(punches.c.id == the_punch["id"])).one()
    assert row.voided_at is not None
    assert (row.void_item_id, row.void_reason) == (void["id"], "meant OUT")
    assert _count(db, punches) == 2


def test_void_of_unknown_punch_is_rejected(terminal: Terminal, world: World) -> None:
    ghost = "6f1c2b8e-3a4d-4c5e-9f00-112233445566"
    [result] = terminal.push(item("punch_void", {"punch_id": ghost}))
    assert result["error"]["code"] == "unknown_punch"


def test_second_void_of_a_punch_is_rejected(terminal: Terminal, world: World) -> None:
    the_punch = punch(world.alice)
    results = terminal.push(the_punch, item("punch_void", {"punch_id": the_punch["id"]}),
                            item("punch_void", {"punch_id": the_punch["id"]}))
    assert results[2]["error"]["code"] == "punch_already_voided"


def test_rejected_message_item_leaves_nothing_behind(
        terminal: Terminal, db: Database, world: World) -> None:
    # bob is in alice's list, carol is not: the whole message is refused, not half-sent
    [result] = terminal.push(text_message(world.alice, (world.bob, world.carol)))
    assert result["error"]["code"] == "not_in_contact_list"
    assert _count(db, messages) == 0


def test_empty_batch_returns_no_results(terminal: Terminal) -> None:
    assert terminal.push() == []
