"""GET /v1/pull: site-scoped changes, cursors, long-poll."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
from server_testkit import Terminal, World, of_type, text_message

from server.db import Database
from server.repo import directory, groups
from server.routers.pull import accepts_gzip


def test_initial_pull_returns_the_site_directory(terminal: Terminal, world: World) -> None:
    body = terminal.get("/v1/pull").json()
    changes = body["changes"]
    assert body["reset"] is True and body["more"] is False
    assert of_type(changes, "site_settings") == [{
        "type": "site_settings", "site_id": world.site, "name": "Plant A",
        "timezone": "Europe/Paris", "language": "fr", "idle_language": None,
        "session_timeout_s": None, "punch_undo_s": None, "notice_s": None, "punch_mode": None,
        "theme": None, "quick_replies": None, "admin_badges": None, "admin_pin_hash": None}]
    assert {e["id"] for e in of_type(changes, "employee")} == {
        world.hr, world.alice, world.bob, world.carol}
    assert of_type(changes, "badge") == [{"type": "badge", "id": 1, "employee_id": world.alice,
                                          "uid": world.alice_badge, "active": True}]
    [group] = of_type(changes, "group")
    assert group["members"] == [{"employee_id": world.alice, "can_post": True},
                                {"employee_id": world.bob, "can_post": True},
                                {"employee_id": world.carol, "can_post": False}]
    assert of_type(changes, "contact_list") == [{
        "type": "contact_list", "employee_id": world.alice,
        "employees": sorted([world.bob, world.hr]), "groups": [world.line3]}]


def test_other_site_gets_only_its_own_badges_and_contact_lists(
        enroll: Callable[..., Terminal], world: World) -> None:
    changes = enroll(world.other_site).pull_all()[0]
    assert of_type(changes, "badge") == []
    assert [c["employee_id"] for c in of_type(changes, "contact_list")] == [world.carol]
    assert of_type(changes, "site_settings")[0]["site_id"] == world.other_site


def test_pull_with_cursor_returns_only_newer_changes(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    assert terminal.get("/v1/pull", params={"cursor": cursor}).json()["changes"] == []
    with db.write() as conn:
        directory.update_employee(conn, world.bob, name="Robert")
    changes = terminal.get("/v1/pull", params={"cursor": cursor}).json()["changes"]
    assert [(c["type"], c["id"], c["name"]) for c in changes] == [
        ("employee", world.bob, "Robert")]


def test_disabled_badge_is_sent_inactive(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    with db.write() as conn:
        directory.set_badge_active(conn, world.alice_badge, False)
    [badge] = terminal.pull_all(cursor)[0]
    assert (badge["type"], badge["uid"], badge["active"]) == ("badge", world.alice_badge, False)


def test_employee_moving_site_is_removed_from_old_site_badges(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    with db.write() as conn:
        directory.update_employee(conn, world.alice, site_id=world.other_site)
    changes = terminal.pull_all(cursor)[0]
    assert {"type": "delete", "entity": "badge", "id": 1} in changes
    assert {"type": "delete", "entity": "contact_list", "id": world.alice} in changes


def test_long_poll_wakes_within_a_second_on_new_message(
        enroll: Callable[..., Terminal], world: World) -> None:
    reader, writer = enroll(world.site, "reader"), enroll(world.site, "writer")
    _, cursor = reader.pull_all()
    pushed_at: list[float] = []

    def push_later() -> None:
        time.sleep(0.5)
        pushed_at.append(time.monotonic())
        writer.push(text_message(world.alice, (world.bob,)))

    thread = threading.Thread(target=push_later)
    thread.start()
    body = reader.get("/v1/pull", params={"cursor": cursor, "wait": 20}).json()
    answered_at = time.monotonic()
    thread.join()
    assert [c["type"] for c in body["changes"]] == ["message"]
    assert answered_at - pushed_at[0] < 1.0


def test_long_poll_wakes_on_change_committed_by_another_process(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    timer = threading.Timer(0.3, lambda: _rename(db, world.bob, "Robert"))
    started = time.monotonic()
    timer.start()
    body = terminal.get("/v1/pull", params={"cursor": cursor, "wait": 20}).json()
    timer.join()
    assert [c["name"] for c in body["changes"]] == ["Robert"]
    assert time.monotonic() - started < 3.0


def _rename(db: Database, employee_id: int, name: str) -> None:
    with db.write() as conn:
        directory.update_employee(conn, employee_id, name=name)


def test_long_poll_without_changes_answers_empty_after_wait(terminal: Terminal) -> None:
    _, cursor = terminal.pull_all()
    started = time.monotonic()
    body = terminal.get("/v1/pull", params={"cursor": cursor, "wait": 1}).json()
    assert 0.9 < time.monotonic() - started < 3
    assert body["changes"] == [] and body["reset"] is False
    assert body["cursor"]


def test_change_for_another_site_is_not_sent(
        terminal: Terminal, db: Database, world: World) -> None:
    _, cursor = terminal.pull_all()
    timer = threading.Timer(0.2, lambda: _set_contacts(db, world.carol, [world.hr]))
    timer.start()
    body = terminal.get("/v1/pull", params={"cursor": cursor, "wait": 1.5}).json()
    timer.join()
    assert body["changes"] == []


def _set_contacts(db: Database, employee_id: int, contact_ids: list[int]) -> None:
    with db.write() as conn:
        groups.set_contacts(conn, employee_id, contact_ids, [])


def test_wait_above_25_seconds_is_refused(terminal: Terminal) -> None:
    response = terminal.get("/v1/pull", params={"wait": 60})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_cursor_not_made_by_the_server_is_refused(terminal: Terminal) -> None:
    response = terminal.get("/v1/pull", params={"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_cursor_from_another_database_restarts_with_reset(
        terminal: Terminal, world: World) -> None:
    import base64

    foreign = base64.urlsafe_b64encode(b"1:0000000000000000:3").decode().rstrip("=")
    body = terminal.get("/v1/pull", params={"cursor": foreign}).json()
    assert body["reset"] is True
    assert of_type(body["changes"], "site_settings")


def test_large_backlog_comes_in_pages_flagged_more(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        for n in range(520):
            directory.create_employee(conn, f"Temp {n}", world.site)
    first = terminal.get("/v1/pull").json()
    assert first["more"] is True
    changes, _ = terminal.pull_all(first["cursor"])
    assert len(of_type(first["changes"] + changes, "employee")) == 524


def test_pull_reports_server_time_for_clock_offset(server, terminal: Terminal) -> None:
    body = terminal.get("/v1/pull").json()
    assert body["server_time"].endswith("Z")
    assert httpx.get(f"{server.url}/v1/info").status_code == 200


def test_a_large_pull_answer_is_gzipped_for_a_client_that_accepts_it_and_plain_otherwise(
        terminal: Terminal, db: Database, world: World) -> None:
    with db.write() as conn:
        for n in range(200):  # ~30 KB of JSON: over the threshold
            directory.create_employee(conn, f"Worker {n:03}", world.site)
    zipped = terminal.get("/v1/pull", headers={"Accept-Encoding": "gzip"})
    plain = terminal.get("/v1/pull", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) * 4 < int(plain.headers["content-length"])
    assert "content-encoding" not in plain.headers
    assert zipped.json()["changes"] == plain.json()["changes"]  # httpx decompresses


def test_a_small_pull_answer_is_sent_uncompressed(terminal: Terminal) -> None:
    answer = terminal.get("/v1/pull", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and "content-encoding" not in answer.headers


def test_accept_encoding_is_read_with_its_quality_values() -> None:
    assert accepts_gzip("gzip, deflate") and accepts_gzip("br;q=1.0, gzip;q=0.5")
    assert accepts_gzip("*") and not accepts_gzip("gzip;q=0") and not accepts_gzip("identity")
    assert not accepts_gzip("") and not accepts_gzip("gzip;q=x")
