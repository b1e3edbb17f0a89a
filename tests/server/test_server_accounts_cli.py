"""`python -m server accounts ...`: console accounts from the command line, audited."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from server.cli import main
from server.db import Database, url_from_path
from server.db.types import utcnow
from server.repo import accounts, audit, directory
from server.services import passwords

PASSWORD = "correct horse battery"


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Path,
        *args: str, stdin: str = "") -> tuple[int, Any]:
    """Exit code, and the JSON printed (or the error's, from stderr)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([*args, "--db", str(db), "--json"])
    captured = capsys.readouterr()
    out = captured.out if code == 0 else captured.err
    return code, json.loads(out) if out.strip() else None


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.db"
    database = Database(url_from_path(path))
    database.migrate()
    with database.write() as conn:
        directory.create_site(conn, "Plant A")
    database.dispose()
    return path


def read(db_file: Path) -> Any:
    """A read transaction on the file (as another process would open it)."""
    return Database(url_from_path(db_file)).read()


def test_create_reads_the_password_from_stdin_and_stores_only_an_argon2_hash(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        db_file: Path) -> None:
    code, shown = run(monkeypatch, capsys, db_file, "accounts", "create", "--email",
                      "Hana@Example.org", "--name", "Hana", "--role", "hr_admin",
                      stdin=PASSWORD + "\n")
    assert code == 0 and shown["email"] == "hana@example.org"
    with read(db_file) as conn:
        row = accounts.account_by_email(conn, "hana@example.org")
        assert row.password_hash.startswith("$argon2id$")
        assert passwords.verify(row.password_hash, PASSWORD)
        assert accounts.roles_of(conn, row.id) == [("hr_admin", None)]


def test_create_of_a_site_manager_without_sites_is_refused(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        db_file: Path) -> None:
    code, error = run(monkeypatch, capsys, db_file, "accounts", "create", "--email",
                      "m@x.org", "--name", "M", "--role", "site_manager", stdin=PASSWORD)
    assert (code, error["error"]["code"]) == (1, "sites_required")


def test_a_short_password_is_refused(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str],
                                     db_file: Path) -> None:
    code, _ = run(monkeypatch, capsys, db_file, "accounts", "create", "--email", "m@x.org",
                  "--name", "M", "--role", "viewer", stdin="short")
    assert code == 1
    with read(db_file) as conn:
        assert accounts.list_accounts(conn) == []


def test_disable_reset_and_unlock_each_write_an_audit_entry_by_cli(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        db_file: Path) -> None:
    run(monkeypatch, capsys, db_file, "accounts", "create", "--email", "m@x.org", "--name",
        "Marc", "--role", "site_manager", "--sites", "1", stdin=PASSWORD)
    assert run(monkeypatch, capsys, db_file, "accounts", "disable", "m@x.org")[1]["active"] \
        is False
    run(monkeypatch, capsys, db_file, "accounts", "reset", "m@x.org", stdin="another long one")
    run(monkeypatch, capsys, db_file, "accounts", "unlock", "m@x.org")
    with read(db_file) as conn:
        entries = audit.entries(conn, "account")
        assert [e.action for e in entries] == [
            "account.unlock", "account.password_reset", "account.disable", "account.create"]
        assert {e.actor for e in entries} == {"cli"}
        assert "another long one" not in json.dumps([e.changes for e in entries])
        assert json.loads(entries[2].changes) == {"active": [True, False]}


def test_list_shows_roles_with_their_sites(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str],
                                           db_file: Path) -> None:
    run(monkeypatch, capsys, db_file, "accounts", "create", "--email", "m@x.org", "--name",
        "Marc", "--role", "site_manager", "--sites", "1", stdin=PASSWORD)
    _, listed = run(monkeypatch, capsys, db_file, "accounts", "list")
    assert [(a["email"], a["roles"]) for a in listed] == [("m@x.org", "site_manager@1")]


def test_existing_commands_record_audit_entries_by_cli(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        db_file: Path) -> None:
    _, created = run(monkeypatch, capsys, db_file, "employees", "create", "--name",
                     "Zoé O'Brien", "--site", "1")
    run(monkeypatch, capsys, db_file, "employees", "update", str(created["id"]), "--moderated")
    with read(db_file) as conn:
        entries = audit.entries(conn, "employee", created["id"])
    assert [e.action for e in entries] == ["employee.update", "employee.create"]
    assert json.loads(entries[0].changes) == {"moderated": [False, True]}



def test_sessions_are_listed_and_ended_from_the_cli(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        db_file: Path) -> None:
    run(monkeypatch, capsys, db_file, "accounts", "create", "--email", "m@x.org", "--name",
        "Marc", "--role", "viewer", stdin=PASSWORD)
    database = Database(url_from_path(db_file))
    with database.write() as conn:
        account = accounts.account_by_email(conn, "m@x.org")
        accounts.create_session(conn, account.id, "0" * 64, "csrf", utcnow() + timedelta(hours=1),
                                "10.0.0.7")
    database.dispose()
    _, listed = run(monkeypatch, capsys, db_file, "accounts", "sessions", "m@x.org")
    assert [(s["email"], s["client_address"], s["revoked_at"]) for s in listed] == [
        ("m@x.org", "10.0.0.7", None)]
    assert "0" * 64 not in json.dumps(listed)
    _, ended = run(monkeypatch, capsys, db_file, "accounts", "logout", "m@x.org")
    assert ended["sessions_ended"] == 1
    _, listed = run(monkeypatch, capsys, db_file, "accounts", "sessions")
    assert listed[0]["revoked_at"] is not None
