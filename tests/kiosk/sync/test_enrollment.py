# ruff: noqa: F811  (the module-wide server fixtures imported below are parameters of the tests)
"""Enrollment against the real server on 127.0.0.1: the token file and every refusal."""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.settings.config import Config
from kiosk.storage import open_database
from kiosk.sync.client import ServerClient
from kiosk.sync.credentials import load_enrollment
from kiosk.sync.enrollment import EnrollmentError, enroll_command, enroll_terminal
from server.embedded import EmbeddedServer
from tests.support.enrollment_server import (  # noqa: F401  (module-wide server)
    make_code,
    server,
    server_db,
    server_path,
    site_id,
)


def test_enrollment_writes_the_token_file_with_mode_0600(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str]
) -> None:
    enrollment = enroll_terminal(tmp_path / "data", server.url, make_code(), "Gate 2")
    path = tmp_path / "data" / "enrollment.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_enrollment(tmp_path / "data") == enrollment
    assert enrollment.site["name"] == "Usine Nord"


def test_enrollment_keeps_the_servers_sealing_key(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str]
) -> None:
    enrollment = enroll_terminal(tmp_path / "data", server.url, make_code(), "Gate 2")
    info = ServerClient(server.url).info()
    assert enrollment.seal_public_key == info["seal_public_key"]
    assert load_enrollment(tmp_path / "data").seal_public_key == info["seal_public_key"]


def test_reused_code_is_refused(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str]
) -> None:
    code = make_code()
    enroll_terminal(tmp_path / "a", server.url, code, "Gate 2")
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path / "b", server.url, code, "Gate 3")
    assert caught.value.code == "enrollment_code_used"
    assert "new code" in caught.value.fix


def test_expired_code_is_refused(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str]
) -> None:
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path, server.url, make_code(timedelta(seconds=-1)), "Gate 2")
    assert caught.value.code == "enrollment_code_expired"


def test_unknown_code_is_refused(tmp_path: Path, server: EmbeddedServer) -> None:
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path, server.url, "ABCD-EFGH-JKLM", "Gate 2")
    assert caught.value.code == "enrollment_code_invalid"


def test_reenrollment_without_force_names_the_current_enrollment(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str]
) -> None:
    first = enroll_terminal(tmp_path, server.url, make_code(), "Gate 2")
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path, server.url, make_code(), "Gate 2")
    assert caught.value.code == "already_enrolled"
    assert f"terminal {first.terminal_id}" in caught.value.message
    assert server.url in caught.value.message and "--force" in caught.value.fix
    assert load_enrollment(tmp_path) == first


def test_reenrollment_with_force_replaces_it_and_forgets_the_pull_cursor(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str]
) -> None:
    first = enroll_terminal(tmp_path, server.url, make_code(), "Gate 2")
    db = open_database(tmp_path / "kiosk.sqlite3")
    db.execute("INSERT INTO sync_state (key, value) VALUES ('cursor', 'old-site-cursor')")
    db.conn.close()
    second = enroll_terminal(tmp_path, server.url, make_code(), "Gate 2", force=True)
    assert second.terminal_id != first.terminal_id
    assert load_enrollment(tmp_path) == second
    db = open_database(tmp_path / "kiosk.sqlite3")
    assert db.execute("SELECT count(*) FROM sync_state WHERE key = 'cursor'").fetchone()[0] == 0
    db.conn.close()


def test_closed_port_is_reported_as_connection_refused(tmp_path: Path, closed_port: int) -> None:
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path, f"http://127.0.0.1:{closed_port}", "ABCD-EFGH-JKLM", "Gate 2")
    assert caught.value.code == "connection_refused"
    assert f"127.0.0.1:{closed_port}" in caught.value.message
    assert not (tmp_path / "enrollment.json").exists()


def test_web_server_that_is_not_a_kiosk_server_is_named(
    tmp_path: Path, fake_http: Callable[..., str]
) -> None:
    url = fake_http(404, "<html>Not Found</html>")
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path, url, "ABCD-EFGH-JKLM", "Gate 2")
    assert caught.value.code == "not_a_kiosk_server"


def test_server_speaking_another_protocol_version_is_incompatible(
    tmp_path: Path, fake_http: Callable[..., str]
) -> None:
    url = fake_http(200, {"server_version": "9.0", "supported_versions": [2],
                          "server_time": "2026-01-01T00:00:00Z"})
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path, url, "ABCD-EFGH-JKLM", "Gate 2")
    assert caught.value.code == "protocol_version"
    assert "[2]" in caught.value.message


def test_address_without_scheme_is_refused_before_any_request(tmp_path: Path) -> None:
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path, "kiosk.example.com", "ABCD-EFGH-JKLM", "Gate 2")
    assert caught.value.code == "bad_server_url"


def test_logs_contain_neither_the_code_nor_the_token(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    code = make_code()
    with caplog.at_level(logging.DEBUG):
        enroll_terminal(tmp_path, server.url, code, "Gate 2")
        enroll_terminal(tmp_path, server.url, make_code(), "Gate 2", force=True)
    token = load_enrollment(tmp_path).token
    assert caplog.records  # the replacement is logged...
    assert code not in caplog.text and token not in caplog.text  # ...without secrets


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_enrollment_as_root_gives_the_file_to_the_data_folder_owner(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, 65534, 65534)
    enroll_terminal(data, server.url, make_code(), "Gate 2")
    assert (data / "enrollment.json").stat().st_uid == 65534


def test_unwritable_data_folder_fails_before_the_code_is_spent(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str]
) -> None:
    (tmp_path / "file").write_text("x")
    code = make_code()
    with pytest.raises(EnrollmentError) as caught:
        enroll_terminal(tmp_path / "file" / "data", server.url, code, "Gate 2")
    assert caught.value.code == "cannot_save" and "not used" in caught.value.fix
    assert enroll_terminal(tmp_path / "data", server.url, code, "Gate 2").terminal_id


def test_enroll_command_prints_the_replaced_and_the_new_enrollment(
    make_config: Callable[..., Config], server: EmbeddedServer, make_code: Callable[..., str],
) -> None:
    config = make_config(terminal__name="Gate 2")
    assert enroll_command(config, server.url, make_code(), out=io.StringIO()) == 0
    first = load_enrollment(config.data_dir)
    out = io.StringIO()
    assert enroll_command(config, server.url, make_code(), force=True, out=out) == 0
    assert f"Replaced the enrollment of terminal {first.terminal_id}" in out.getvalue()


def test_enroll_command_prints_message_and_fix_on_failure(
    make_config: Callable[..., Config], server: EmbeddedServer,
) -> None:
    err = io.StringIO()
    assert enroll_command(make_config(), server.url, "ABCD-EFGH-JKLM", err=err) == 1
    assert "does not know this enrollment code" in err.getvalue() and "fix: " in err.getvalue()
