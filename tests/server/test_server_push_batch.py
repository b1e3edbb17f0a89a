"""Big and mixed push batches: one transaction, items applied in request order.

The server checks punches and messages against cached directory rows and
inserts their rows together (server/repo/batch.py); these tests pin what that
must not change: later items see earlier ones, a rejected item leaves nothing,
the change log follows request order.
"""

from __future__ import annotations

from server_testkit import Terminal, World, item, of_type, punch, text_message
from sqlalchemy import func, select

from server.db import Database
from server.db.schema import changes, message_recipients, messages, punches, push_log
from server.repo import directory, groups

READ_AT = "2026-03-02T08:05:00+01:00"


def _count(db: Database, table) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_full_batch_of_messages_is_stored_once_in_request_order(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    sent = [text_message(world.alice, (world.bob,), body=f"Message {n}") for n in range(500)]
    results = terminal.push(*sent)
    assert [r["status"] for r in results] == ["accepted"] * 500
    assert _count(db, messages) == _count(db, message_recipients) == 500
    pulled = of_type(terminal.pull_all(cursor)[0], "message")
    assert [m["id"] for m in pulled] == [s["id"] for s in sent]
    assert pulled[0]["recipients"] == [world.bob] and pulled[0]["status"] == "approved"
    retry = terminal.push(*sent)
    assert {r["status"] for r in retry} == {"duplicate"}
    assert _count(db, messages) == 500


def test_later_items_see_earlier_ones_of_the_same_batch(
        terminal: Terminal, db: Database, world: World) -> None:
    first = text_message(world.alice, (world.bob,), body="Gate 2 is blocked")
    # bob has no contact list: answering the sender is still allowed
    reply = text_message(world.bob, (world.alice,), body="On my way", reply_to=first["id"])
    receipt = item("receipt", {"message_id": first["id"], "employee_id": world.bob,
                               "read_at": READ_AT})
    the_punch = punch(world.bob)
    void = item("punch_void", {"punch_id": the_punch["id"]})
    results = terminal.push(first, reply, receipt, the_punch, void, punch(world.alice))
    assert [r["status"] for r in results] == ["accepted"] * 6, results
    with db.read() as conn:
        stored = conn.execute(select(messages).where(messages.c.id == reply["id"])).one()
        status = conn.execute(select(message_recipients).where(
            message_recipients.c.message_id == first["id"])).one()
        voided = conn.execute(select(punches.c.voided_at).where(
            punches.c.id == the_punch["id"])).scalar_one()
    assert (stored.reply_to, stored.thread_id) == (first["id"], first["id"])
    assert status.read_at is not None and voided is not None


def test_rejections_between_accepted_items_leave_nothing_behind(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    changes_before = _count(db, changes)
    ok1 = text_message(world.alice, (world.bob,), body="first")
    outside = text_message(world.alice, (world.bob, world.carol), body="half would be wrong")
    elsewhere = text_message(world.carol, to_groups=(world.line3,), body="carol is at plant B")
    unknown = text_message(world.alice, (4242,))
    ok2 = text_message(world.alice, to_groups=(world.line3,), body="second")
    weird = item("punch", {"employee_id": [world.alice], "direction": "IN"})
    results = terminal.push(ok1, outside, elsewhere, unknown, weird, ok2, outside)
    assert [r["status"] for r in results] == [
        "accepted", "rejected", "rejected", "rejected", "rejected", "accepted", "duplicate"]
    assert [r.get("error", {}).get("code") for r in results[:6]] == [
        None, "not_in_contact_list", "not_on_this_site", "unknown_employee",
        "invalid_payload", None]
    assert results[6]["original_status"] == "rejected"
    assert results[6]["error"] == results[1]["error"]
    assert _count(db, messages) == 2
    assert _count(db, push_log) == 6
    # ok1 to bob; ok2 to the group: bob (site), carol (other site); alice is the sender
    assert _count(db, message_recipients) == 3
    assert _count(db, changes) == changes_before + 3  # ok1: site; ok2: site and other site
    pulled = of_type(terminal.pull_all(cursor)[0], "message")
    assert [m["id"] for m in pulled] == [ok1["id"], ok2["id"]]


def test_directory_changes_between_batches_are_seen(
        terminal: Terminal, db: Database, world: World) -> None:
    assert terminal.push(text_message(world.alice, (world.bob,)))[0]["status"] == "accepted"
    with db.write() as conn:
        groups.set_contacts(conn, world.alice, [world.hr], [])
        directory.update_employee(conn, world.hr, active=False)
    results = terminal.push(text_message(world.alice, (world.bob,)),
                            text_message(world.alice, (world.hr,)), punch(world.hr))
    assert [r["error"]["code"] for r in results] == [
        "not_in_contact_list", "employee_inactive", "employee_inactive"]


def test_moderated_sender_batch_is_pending_and_seen_by_sender_site_only(
        terminal: Terminal, enroll, db: Database, world: World) -> None:
    plant_b = enroll(world.other_site, "plant B")
    _, cursor_b = plant_b.pull_all()
    with db.write() as conn:
        directory.update_employee(conn, world.alice, moderated=True)
    results = terminal.push(*[text_message(world.alice, to_groups=(world.line3,))
                              for _ in range(3)])
    assert {r["status"] for r in results} == {"accepted"}
    with db.read() as conn:
        assert set(conn.execute(select(messages.c.status)).scalars()) == {"pending"}
    assert of_type(plant_b.pull_all(cursor_b)[0], "message") == []
    assert [m["status"] for m in of_type(terminal.pull_all()[0], "message")] == ["pending"] * 3
