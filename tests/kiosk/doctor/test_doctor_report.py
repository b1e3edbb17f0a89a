"""kiosk doctor's entry points: configuration files, the printed report, the exit status."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from kiosk.doctor.checkup import (
    Check,
    doctor_command,
    exit_code,
    format_report,
    run_checks,
    run_checks_for_path,
)
from kiosk.settings.config import Config


def by_name(checks: list[Check], name: str) -> list[Check]:
    return [c for c in checks if c.name == name]


def test_bad_value_in_config_file_names_key_value_and_allowed(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[reader]\nbaud = 1234\n")
    [config] = by_name(run_checks_for_path(path), "config")
    assert not config.ok and config.severity == "error"
    assert "reader.baud = 1234" in config.summary and str(path) in config.summary
    assert "9600" in config.fix


def test_missing_config_file_is_a_failed_check(tmp_path: Path) -> None:
    checks = run_checks_for_path(tmp_path / "nope.toml")
    assert not checks[0].ok and "nope.toml cannot be used" in checks[0].summary
    assert "an existing TOML file" in checks[0].fix
    assert exit_code(checks) == 1


def test_invalid_toml_names_the_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[reader\n")
    [config] = by_name(run_checks_for_path(path), "config")
    assert not config.ok and "valid TOML" in config.fix and "line 1" in config.fix


def test_valid_config_file_is_named_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[terminal]\ndata_dir = "data"\n[reader]\nprotocol = "virtual"\n')
    [config] = by_name(run_checks_for_path(path), "config")
    assert config.ok and str(path) in config.summary


def test_every_failed_check_names_a_fix(make_config: Callable[..., Config]) -> None:
    checks = run_checks(make_config(reader__protocol="em4100", reader__port="/dev/ttyNOPE9",
                                    server__url="http://127.0.0.1:9"), timeout_s=1.0)
    assert [c for c in checks if not c.ok]
    assert all(c.fix for c in checks if not c.ok)


def test_exit_code_is_non_zero_only_when_an_error_failed() -> None:
    warning = Check("clock", False, "warning", "clock off", "enable NTP")
    error = Check("reader", False, "error", "no reader", "plug it in")
    assert exit_code([Check("disk", True, "info", "fine"), warning]) == 0
    assert exit_code([warning, error]) == 1


def test_report_prints_the_fix_under_its_problem() -> None:
    report = format_report([Check("reader", False, "error", "no reader on /dev/ttyUSB0",
                                  "plug it in"), Check("disk", True, "info", "900 MB free")])
    lines = report.splitlines()
    assert lines[0] == "kiosk doctor: 1 error, 0 warnings, 1 passed"
    assert "ERROR" in lines[1] and "no reader on /dev/ttyUSB0" in lines[1]
    assert lines[2].strip() == "fix: plug it in"
    assert lines[3].startswith("OK")


def test_report_labels_follow_the_language() -> None:
    report = format_report([Check("clock", False, "warning", "clock off", "enable NTP")], "fr")
    assert "1 avertissement" in report and "ATTENTION" in report and "solution: " in report


def test_doctor_command_prints_the_report_and_returns_the_status(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[terminal]\nlanguage = "de"\n')
    out = io.StringIO()
    assert doctor_command(path, out=out) == 1
    assert "terminal.language = 'de'" in out.getvalue()


def test_data_folder_that_cannot_be_created_fails_without_breaking_other_checks(
    tmp_path: Path, make_config: Callable[..., Config],
) -> None:
    (tmp_path / "file").write_text("x")
    checks = run_checks(make_config(terminal__data_dir=str(tmp_path / "file" / "data"),
                                    server__url="http://127.0.0.1:9"), timeout_s=1.0)
    [data_dir] = by_name(checks, "data_dir")
    assert not data_dir.ok and "cannot be created" in data_dir.summary
    assert not any("could not run" in c.summary for c in checks)
    assert exit_code(checks) == 1
