"""Expiry: expired messages and unused attachments leave the server; terminals are told."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from server_testkit import Terminal, World, item, of_type, text_message
from sqlalchemy import func, select, update

from server.db import Database
from server.db.schema import attachments, message_recipients, messages
from server.db.types import utcnow
from server.services import expiry, messaging
from tests.support.pictures import png_bytes

PNG = png_bytes()
SHA = hashlib.sha256(PNG).hexdigest()


def _broadcast(db: Database, world: World, expires_in: timedelta) -> str:
    with db.write() as conn:
        return messaging.broadcast(conn, world.hr, "Canteen closed", to_employees=[world.alice],
                                   expires_at=utcnow() + expires_in)


def _count(db: Database, table, *where) -> int:
    with db.read() as conn:
        query = select(func.count()).select_from(table)
        return conn.execute(query.where(*where) if where else query).scalar_one()


def _photo(terminal: Terminal, world: World, **extra) -> str:
    assert terminal.put(f"/v1/attachments/{SHA}", content=PNG,
                        headers={"Content-Type": "image/png"}).status_code == 201
    message = item("message", {"sender_id": world.alice, "to_employees": [world.bob],
                               "kind": "photo", "body": "", "attachment_sha256": SHA, **extra})
    [result] = terminal.push(message)
    assert result["status"] == "accepted", result
    return message["id"]


def test_prune_deletes_an_expired_broadcast_and_its_recipient_rows(
        db: Database, world: World) -> None:
    message_id = _broadcast(db, world, timedelta(hours=-1))
    assert expiry.prune(db).messages == 1
    assert _count(db, messages, messages.c.id == message_id) == 0
    assert _count(db, message_recipients, message_recipients.c.message_id == message_id) == 0


def test_prune_keeps_messages_not_expired_yet(db: Database, world: World) -> None:
    message_id = _broadcast(db, world, timedelta(hours=1))
    assert expiry.prune(db) == expiry.PruneResult(messages=0, attachments=0)
    assert _count(db, messages, messages.c.id == message_id) == 1


def test_a_pull_after_prune_carries_a_delete_for_the_pruned_message(
        terminal: Terminal, db: Database, world: World) -> None:
    message_id = _broadcast(db, world, timedelta(hours=1))
    _, cursor = terminal.pull_all()
    expiry.prune(db, now=utcnow() + timedelta(hours=2))
    changes, _ = terminal.pull_all(cursor)
    assert {"type": "delete", "entity": "message", "id": message_id} in changes


def test_a_full_pull_after_prune_skips_the_status_rows_of_a_pruned_message(
        terminal: Terminal, db: Database, world: World) -> None:
    message_id = _broadcast(db, world, timedelta(hours=1))
    [receipt] = terminal.push(item("receipt", {"message_id": message_id,
                                               "employee_id": world.alice,
                                               "read_at": utcnow().isoformat()}))
    assert receipt["status"] == "accepted", receipt
    expiry.prune(db, now=utcnow() + timedelta(hours=2))
    changes, _ = terminal.pull_all()
    assert of_type(changes, "message_status") == []
    assert [c["id"] for c in of_type(changes, "delete") if c["entity"] == "message"] == [
        message_id]


def test_a_reply_outlives_the_expired_message_it_answers(
        terminal: Terminal, db: Database, world: World) -> None:
    parent = _broadcast(db, world, timedelta(hours=1))
    reply = text_message(world.alice, (world.hr,), reply_to=parent)
    [result] = terminal.push(reply)
    assert result["status"] == "accepted", result
    assert expiry.prune(db, now=utcnow() + timedelta(hours=2)).messages == 1
    with db.read() as conn:
        row = conn.execute(select(messages).where(messages.c.id == reply["id"])).one()
    assert (row.reply_to, row.thread_id) == (None, parent)


def test_prune_removes_the_attachment_of_an_expired_photo_message(
        terminal: Terminal, db: Database, world: World) -> None:
    _photo(terminal, world, expires_at="2020-01-01T00:00:00Z")
    assert expiry.prune(db) == expiry.PruneResult(messages=1, attachments=1)
    assert _count(db, attachments) == 0


def test_prune_keeps_an_attachment_a_live_message_still_uses(
        terminal: Terminal, db: Database, world: World) -> None:
    _photo(terminal, world)
    assert expiry.prune(db, now=utcnow() + timedelta(days=30)).attachments == 0
    assert _count(db, attachments) == 1


def test_prune_keeps_a_fresh_upload_whose_message_is_not_pushed_yet(
        terminal: Terminal, db: Database) -> None:
    terminal.put(f"/v1/attachments/{SHA}", content=PNG, headers={"Content-Type": "image/png"})
    assert expiry.prune(db).attachments == 0
    assert _count(db, attachments) == 1


def test_prune_removes_an_upload_unused_past_the_grace_period(
        terminal: Terminal, db: Database) -> None:
    terminal.put(f"/v1/attachments/{SHA}", content=PNG, headers={"Content-Type": "image/png"})
    with db.write() as conn:
        conn.execute(update(attachments).values(
            created_at=utcnow() - expiry.ATTACHMENT_GRACE - timedelta(hours=1)))
    assert expiry.prune(db).attachments == 1
    assert _count(db, attachments) == 0
