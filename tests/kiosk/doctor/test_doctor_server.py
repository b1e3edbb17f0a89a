"""Doctor's server checks against the real server on 127.0.0.1 and against broken addresses."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kiosk.doctor.checkup import Check, exit_code, run_checks
from kiosk.doctor.server import _clock_check, check_server
from kiosk.settings.config import Config
from kiosk.sync.credentials import Enrollment, save_enrollment
from kiosk.sync.enrollment import enroll_terminal
from server.db import Database
from server.embedded import EmbeddedServer
from server.repo import terminals


def named(checks: list[Check], name: str) -> Check:
    [check] = [c for c in checks if c.name == name]
    return check


@pytest.fixture
def enrolled(make_config: Callable[..., Config], server: EmbeddedServer,
             make_code: Callable[..., str]) -> tuple[Config, Enrollment]:
    config = make_config()
    return config, enroll_terminal(config.data_dir, server.url, make_code(), "Gate 2")


def test_enrolled_terminal_passes_every_server_check(
    enrolled: tuple[Config, Enrollment],
) -> None:
    config, enrollment = enrolled
    checks = check_server(config, timeout_s=3.0).checks
    assert [c.name for c in checks] == ["enrollment", "server", "clock", "token", "cache"]
    assert all(c.ok for c in checks), checks
    assert f"terminal {enrollment.terminal_id}" in named(checks, "token").summary


def test_whole_report_on_a_healthy_terminal_has_no_error(
    enrolled: tuple[Config, Enrollment],
) -> None:
    config, _ = enrolled
    started = time.monotonic()
    checks = run_checks(config)
    assert exit_code(checks) == 0, [c for c in checks if not c.ok]
    assert time.monotonic() - started < 5


def test_revoked_terminal_is_reported_with_the_admins_name_for_it(
    enrolled: tuple[Config, Enrollment], server_db: Database,
) -> None:
    config, enrollment = enrolled
    with server_db.write() as conn:
        terminals.revoke(conn, enrollment.terminal_id)
    token = named(check_server(config, timeout_s=3.0).checks, "token")
    assert not token.ok and token.severity == "error"
    assert "revoked by the admin" in token.summary and "--force" in token.fix


def test_unknown_token_asks_to_enroll_again(enrolled: tuple[Config, Enrollment]) -> None:
    config, enrollment = enrolled
    # Through save_enrollment: the file holds the token sealed, not in clear.
    save_enrollment(config.data_dir, dataclasses.replace(enrollment, token="not-a-token"))
    token = named(check_server(config, timeout_s=3.0).checks, "token")
    assert not token.ok and "enroll again" in token.fix


def test_token_is_never_in_the_checks(enrolled: tuple[Config, Enrollment]) -> None:
    config, enrollment = enrolled
    checks = run_checks(config)
    assert all(enrollment.token not in c.summary + c.fix for c in checks)


def test_closed_port_is_connection_refused_naming_the_url(
    make_config: Callable[..., Config], closed_port: int,
) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    server = named(check_server(make_config(server__url=url), timeout_s=3.0).checks, "server")
    assert not server.ok and "connection refused" in server.summary and url in server.summary


def test_unresolvable_name_is_a_dns_failure(make_config: Callable[..., Config]) -> None:
    config = make_config(server__url="http://kiosk-doctor-test.invalid")
    server = named(check_server(config, timeout_s=3.0).checks, "server")
    assert "cannot resolve" in server.summary and "DNS" in server.fix


def test_https_to_a_plain_http_port_says_to_use_http(
    make_config: Callable[..., Config], server: EmbeddedServer,
) -> None:
    config = make_config(server__url=server.url.replace("http://", "https://"))
    check = named(check_server(config, timeout_s=3.0).checks, "server")
    assert "does not speak TLS" in check.summary and "use http://" in check.fix


def test_web_server_that_is_not_a_kiosk_server_is_named(
    make_config: Callable[..., Config], fake_http: Callable[..., str],
) -> None:
    url = fake_http(200, "<html>Welcome to nginx!</html>")
    check = named(check_server(make_config(server__url=url), timeout_s=3.0).checks, "server")
    assert not check.ok and "not a kiosk server" in check.summary


def test_other_protocol_version_is_an_error(
    make_config: Callable[..., Config], fake_http: Callable[..., str],
) -> None:
    url = fake_http(200, {"server_version": "9", "supported_versions": [2],
                          "server_time": "2026-01-01T00:00:00Z"})
    check = named(check_server(make_config(server__url=url), timeout_s=3.0).checks, "protocol")
    assert not check.ok and "[2]" in check.summary


def test_server_url_without_enrollment_asks_to_enroll(
    make_config: Callable[..., Config], server: EmbeddedServer,
) -> None:
    report = check_server(make_config(server__url=server.url), timeout_s=3.0)
    enrollment = named(report.checks, "enrollment")
    assert not enrollment.ok and f"kiosk enroll --server {server.url}" in enrollment.fix
    assert named(report.checks, "server").ok and not report.syncing


def test_offline_only_terminal_makes_no_request(make_config: Callable[..., Config]) -> None:
    report = check_server(make_config(), timeout_s=3.0)
    assert [c.name for c in report.checks] == ["enrollment"] and report.checks[0].ok


def test_clock_off_by_more_than_the_setting_warns() -> None:
    five_minutes_later = datetime(2026, 1, 1, 0, 5, tzinfo=UTC).timestamp()
    check = _clock_check("2026-01-01T00:00:00Z", five_minutes_later, 60)
    assert not check.ok and check.severity == "warning" and "timedatectl" in check.fix
    assert "ahead of the server" in check.summary


def test_configured_url_differing_from_the_enrolled_one_warns(
    enrolled: tuple[Config, Enrollment], closed_port: int,
) -> None:
    config, _ = enrolled
    moved = config.with_values(server__url=f"http://127.0.0.1:{closed_port}")
    warnings = [c for c in check_server(moved, timeout_s=3.0).checks
                if c.name == "enrollment" and not c.ok]
    assert warnings and "server.url" in warnings[0].summary


def test_damaged_enrollment_file_is_an_error(make_config: Callable[..., Config]) -> None:
    config = make_config()
    config.data_dir.mkdir(parents=True)
    (config.data_dir / "enrollment.json").write_text("{not json")
    check = named(check_server(config, timeout_s=3.0).checks, "enrollment")
    assert not check.ok and "damaged" in check.summary


def test_report_lists_checks_in_fixing_order(make_config: Callable[..., Config]) -> None:
    names = [c.name for c in run_checks(make_config())]
    assert names.index("config") < names.index("data_dir") < names.index("reader") \
        < names.index("enrollment") < names.index("versions")


def test_failing_server_is_not_called_a_wrong_address(
    make_config: Callable[..., Config], fake_http: Callable[..., str],
) -> None:
    url = fake_http(502, "<html>Bad Gateway</html>")
    check = named(check_server(make_config(server__url=url), timeout_s=3.0).checks, "server")
    assert not check.ok and "HTTP 502" in check.summary and "server's logs" in check.fix
