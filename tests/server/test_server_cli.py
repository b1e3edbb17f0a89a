"""The admin command line, run as subprocesses (`python -m server ...`)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from server_testkit import (
    REPO_ROOT,
    Terminal,
    World,
    enrollment_code,
    punch,
    run_cli,
    text_message,
)

from server.cli import build_parser, main
from server.db import Database
from server.embedded import EmbeddedServer
from server.repo import directory


def cli_json(db_path: Path, *args: str) -> object:
    return json.loads(run_cli(db_path, *args, "--json").stdout)


def test_cli_builds_site_employees_badge_group_and_contacts(tmp_path: Path) -> None:
    db = tmp_path / "admin.db"
    site = cli_json(db, "sites", "create", "--name", "Plant A", "--timezone", "Europe/Paris")
    hr = cli_json(db, "employees", "create", "--name", "Hana", "--site", str(site["id"]),
                  "--role", "hr")
    ann = cli_json(db, "employees", "create", "--name", "Ann", "--site", str(site["id"]))
    cli_json(db, "badges", "add", "--employee", str(ann["id"]), "--uid", "0f00123456")
    group = cli_json(db, "groups", "create", "--name", "Line 3", "--moderated")
    cli_json(db, "groups", "add-member", str(group["id"]), str(ann["id"]), "--can-post")
    contacts = cli_json(db, "contacts", "set", str(ann["id"]), "--employees", str(hr["id"]),
                        "--groups", str(group["id"]))
    assert contacts == {"employee": ann["id"], "employees": [hr["id"]], "groups": [group["id"]]}
    employees = cli_json(db, "employees", "list")
    assert [(e["name"], e["role"], e["active"]) for e in employees] == [
        ("Hana", "hr", True), ("Ann", "worker", True)]
    [badge] = cli_json(db, "badges", "list")
    assert (badge["uid"], badge["employee_id"]) == ("0F00123456", ann["id"])
    [listed] = cli_json(db, "groups", "list")
    assert (listed["moderated"], listed["members"], listed["posters"]) == (
        True, [ann["id"]], [ann["id"]])
    assert cli_json(db, "sites", "list")[0]["timezone"] == "Europe/Paris"


def test_cli_enrollment_code_enrolls_a_terminal_over_http(
        server: EmbeddedServer, db_path: Path, world: World) -> None:
    made = cli_json(db_path, "terminals", "enroll-code", "--site", str(world.site))
    response = httpx.post(f"{server.url}/v1/enroll",
                          json={"code": made["code"], "terminal_name": "Gate"})
    assert response.status_code == 201
    [listed] = cli_json(db_path, "terminals", "list")
    assert (listed["name"], listed["site_id"], listed["revoked_at"]) == ("Gate", world.site, None)
    assert "token_hash" not in listed


def test_cli_revoked_terminal_gets_terminal_revoked(
        terminal: Terminal, db_path: Path) -> None:
    cli_json(db_path, "terminals", "revoke", str(terminal.terminal_id))
    response = terminal.get("/v1/pull")
    assert response.json()["error"]["code"] == "terminal_revoked"


def test_cli_badge_disable_sends_inactive_badge(
        terminal: Terminal, db_path: Path, world: World) -> None:
    _, cursor = terminal.pull_all()
    assert cli_json(db_path, "badges", "disable", world.alice_badge.lower())["active"] is False
    [badge] = terminal.pull_all(cursor)[0]
    assert (badge["uid"], badge["active"]) == (world.alice_badge, False)


def test_cli_employee_disable_makes_punches_rejected(
        terminal: Terminal, db_path: Path, world: World) -> None:
    assert cli_json(db_path, "employees", "disable", str(world.alice))["active"] is False
    [result] = terminal.push(punch(world.alice))
    assert result["error"]["code"] == "employee_inactive"


def test_cli_moderation_lists_approves_and_rejects(
        terminal: Terminal, db: Database, db_path: Path, world: World) -> None:
    with db.write() as conn:
        directory.update_employee(conn, world.alice, moderated=True)
    first, second = (terminal.push(text_message(world.alice, (world.bob,), body=b))[0]["id"]
                     for b in ("one", "two"))
    pending = cli_json(db_path, "moderation", "list")
    assert sorted(m["id"] for m in pending) == sorted([first, second])
    assert cli_json(db_path, "moderation", "approve", first)["status"] == "approved"
    rejected = cli_json(db_path, "moderation", "reject", second, "--reason", "Off topic")
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Off topic")
    assert cli_json(db_path, "moderation", "list") == []


def test_cli_broadcast_reaches_site_terminal(
        terminal: Terminal, db_path: Path, world: World) -> None:
    sent = cli_json(db_path, "messages", "broadcast", "--sender", str(world.hr), "--site",
                    str(world.site), "--body", "Canteen closed", "--ack-required")
    messages = [c for c in terminal.pull_all()[0] if c["type"] == "message"]
    assert [(m["id"], m["ack_required"]) for m in messages] == [(sent["id"], True)]
    assert messages[0]["recipients"] == [world.alice, world.bob]


def test_cli_messages_list_shows_per_recipient_status(
        terminal: Terminal, db_path: Path, world: World) -> None:
    terminal.push(text_message(world.alice, (world.bob,)))
    [message] = cli_json(db_path, "messages", "list")
    assert (message["sender_id"], message["status"]) == (world.alice, "approved")
    assert message["recipients"] == [{"employee_id": world.bob, "delivered_at": None,
                                      "read_at": None, "acked_at": None}]


def test_cli_punches_list_shows_clock_data(
        terminal: Terminal, db_path: Path, world: World) -> None:
    terminal.push(punch(world.alice, "IN"))
    [row] = cli_json(db_path, "punches", "list", "--employee", str(world.alice))
    assert (row["direction"], row["wall_time"], row["boot_id"], row["terminal_id"]) == (
        "IN", "2026-03-02T07:58:00+01:00", "boot-1", terminal.terminal_id)
    assert row["received_at"] and row["monotonic_ns"] == 123_456_789


def test_cli_unknown_id_exits_1_with_json_error(tmp_path: Path) -> None:
    done = run_cli(tmp_path / "x.db", "moderation", "approve", "nope", "--json", check=False)
    assert done.returncode == 1
    assert json.loads(done.stderr)["error"]["code"] == "unknown_message"


def test_cli_without_db_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_DB", raising=False)
    with pytest.raises(SystemExit, match="--db"):
        main(["sites", "list"])


def _leaf_commands() -> list[list[str]]:
    def walk(parser, prefix):
        subs = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        if not subs:
            return [prefix]
        return [leaf for name, child in subs[0].choices.items()
                for leaf in walk(child, [*prefix, name])]
    return walk(build_parser(), [])


@pytest.mark.parametrize("command", _leaf_commands(), ids=" ".join)
def test_cli_every_command_has_help(command: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_cli_list_commands_all_offer_json() -> None:
    lists = [c for c in _leaf_commands() if c[-1] in ("list", "show")]
    assert len(lists) == 11  # accounts list among them
    for command in lists:
        assert "--json" in _help_of(command)


def _help_of(command: list[str]) -> str:
    parser = build_parser()
    for name in command:
        subs = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = subs.choices[name]
    return parser.format_help()


def test_cli_serve_answers_http_and_stops_on_sigint(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--db", str(tmp_path / "s.db"),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                info = httpx.get(f"http://127.0.0.1:{port}/v1/info", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert info.json()["supported_versions"] == [1]
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_serve_answers_held_long_polls_at_once_when_stopped(
        tmp_path: Path, sig: signal.Signals) -> None:
    db_path = tmp_path / "s.db"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--db", str(db_path),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/v1/info", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        db = Database(f"sqlite:///{db_path}")
        with db.write() as conn:
            site = directory.create_site(conn, "Plant A")
        token = httpx.post(f"{url}/v1/enroll", json={
            "code": enrollment_code(db, site), "terminal_name": "gate"}).json()["token"]
        db.dispose()
        with httpx.Client(base_url=url, timeout=40,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            cursor = client.get("/v1/pull").json()["cursor"]
            with ThreadPoolExecutor(1) as pool:
                held = pool.submit(client.get, "/v1/pull", params={"cursor": cursor, "wait": 25})
                time.sleep(0.5)
                assert not held.done()
                stopped = time.monotonic()
                process.send_signal(sig)
                response = held.result(timeout=10)
        assert response.status_code == 200 and response.json()["changes"] == []
        assert process.wait(timeout=10) in (0, -sig)
        assert time.monotonic() - stopped < 4  # not the 5 s graceful timeout, nor 25 s
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_openapi_prints_the_api_document() -> None:
    done = run_cli(None, "openapi")
    assert "/v1/push" in json.loads(done.stdout)["paths"]
