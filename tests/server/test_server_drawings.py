"""Drawing messages rendered by the server, and messages that take no replies."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from server_testkit import Terminal, World, item, of_type, run_cli, text_message
from sqlalchemy import func, select

from server.db import Database
from server.db.schema import attachments
from server.services import expiry, messaging
from sketch import Drawing, render_png

WIRE = {"width": 640, "height": 400, "strokes": [
    {"color": "#1144ee", "width": 12.0, "points": [[40.0, 40.0], [320.0, 200.0], [600.0, 60.0]]},
    {"color": "#000000", "width": 4.0, "points": [[100.0, 350.0]]},
]}


def drawing_message(sender: int, to: int, seq: int = 1, **extra) -> dict:
    return item("message", {"sender_id": sender, "to_employees": [to], "kind": "drawing",
                            "body": "", "drawing": WIRE, **extra}, seq=seq)


def _stored(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(attachments)).scalar_one()


def _message_change(terminal: Terminal, message_id: str) -> dict:
    changes, _ = terminal.pull_all()
    return next(c for c in of_type(changes, "message") if c["id"] == message_id)


# Drawings -------------------------------------------------------------------------------------

def test_an_accepted_drawing_comes_with_the_png_the_server_rendered(
        terminal: Terminal, world: World) -> None:
    message = drawing_message(world.alice, world.bob)
    [result] = terminal.push(message)
    assert result["status"] == "accepted", result
    png = render_png(Drawing.from_wire(WIRE))  # the terminal's renderer, same bytes
    change = _message_change(terminal, message["id"])
    assert change["kind"] == "drawing" and change["drawing"] == WIRE
    assert change["attachment"] == {"sha256": hashlib.sha256(png).hexdigest(),
                                    "content_type": "image/png", "size": len(png)}
    got = terminal.get(f"/v1/attachments/{change['attachment']['sha256']}")
    assert got.status_code == 200 and got.content == png


def test_the_same_drawing_twice_in_a_batch_is_stored_once(
        terminal: Terminal, db: Database, world: World) -> None:
    results = terminal.push(drawing_message(world.alice, world.bob, seq=1),
                            drawing_message(world.alice, world.hr, seq=2))
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    assert _stored(db) == 1


def test_a_refused_drawing_leaves_no_render_behind(
        terminal: Terminal, db: Database, world: World) -> None:
    [result] = terminal.push(drawing_message(world.alice, world.carol))  # not a contact
    assert result["error"]["code"] == "not_in_contact_list"
    assert _stored(db) == 0


def test_an_expired_drawing_takes_its_render_along(
        terminal: Terminal, db: Database, world: World) -> None:
    message = drawing_message(world.alice, world.bob, expires_at="2020-01-01T00:00:00Z")
    assert terminal.push(message)[0]["status"] == "accepted"
    assert _stored(db) == 1
    assert expiry.prune(db) == expiry.PruneResult(messages=1, attachments=1)
    assert _stored(db) == 0


# Replies --------------------------------------------------------------------------------------

def _announcement(db: Database, world: World, reply_allowed: bool) -> str:
    with db.write() as conn:
        return messaging.broadcast(conn, world.hr, "Fire drill at 10", to_employees=[world.alice],
                                   reply_allowed=reply_allowed)


def test_messages_take_replies_unless_told_otherwise(terminal: Terminal, world: World) -> None:
    message = text_message(world.alice, (world.bob,))
    terminal.push(message)
    assert _message_change(terminal, message["id"])["reply_allowed"] is True


def test_an_announcement_without_replies_says_so_in_pull(
        terminal: Terminal, db: Database, world: World) -> None:
    message_id = _announcement(db, world, reply_allowed=False)
    assert _message_change(terminal, message_id)["reply_allowed"] is False


def test_a_reply_to_a_message_that_takes_none_is_rejected(
        terminal: Terminal, db: Database, world: World) -> None:
    parent = _announcement(db, world, reply_allowed=False)
    [result] = terminal.push(text_message(world.alice, (world.hr,), body="?", reply_to=parent))
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "reply_not_allowed"
    assert result["error"]["message_id"] == parent


def test_a_reply_to_an_ordinary_announcement_is_accepted(
        terminal: Terminal, db: Database, world: World) -> None:
    parent = _announcement(db, world, reply_allowed=True)
    [result] = terminal.push(text_message(world.alice, (world.hr,), body="OK", reply_to=parent))
    assert result["status"] == "accepted", result


def test_cli_broadcast_no_reply_sends_an_announcement_without_replies(
        terminal: Terminal, db_path: Path | str, world: World) -> None:
    done = run_cli(db_path, "messages", "broadcast", "--sender", str(world.hr), "--body",
                   "Canteen closed", "--to-employee", str(world.alice), "--no-reply", "--json")
    message_id = json.loads(done.stdout)["id"]
    assert _message_change(terminal, message_id)["reply_allowed"] is False


# Pictures in broadcasts ----------------------------------------------------------------------

def test_a_broadcast_photo_reaches_terminals_as_an_attachment(
        terminal: Terminal, db: Database, world: World) -> None:
    from kiosk.demo.media import demo_photo

    with db.write() as conn:
        message_id = messaging.broadcast(conn, world.hr, "Rack 3", to_employees=[world.alice],
                                         photo=demo_photo())
    change = _message_change(terminal, message_id)
    assert change["kind"] == "photo"
    assert change["attachment"]["sha256"] == hashlib.sha256(demo_photo()).hexdigest()


def test_a_broadcast_photo_that_is_not_a_jpeg_is_refused(db: Database, world: World) -> None:
    import pytest

    from server.repo import Refused

    with pytest.raises(Refused), db.write() as conn:
        messaging.broadcast(conn, world.hr, "Rack 3", to_employees=[world.alice],
                            photo=b"GIF89a not a photo")
