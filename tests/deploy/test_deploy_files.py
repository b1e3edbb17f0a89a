"""The systemd unit, its drop-in and the install script are valid as shipped."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "kiosk-terminal.service"
DROP_IN = DEPLOY / "kiosk-terminal.service.d" / "screen-blanking.conf"
INSTALL = DEPLOY / "install.sh"


def unit_values(key: str) -> list[str]:
    """Every value of ``key`` in the unit (systemd keys may repeat, configparser's may not)."""
    return [line.split("=", 1)[1] for line in UNIT.read_text().splitlines()
            if line.startswith(f"{key}=")]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_unit_and_drop_in_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify wants ExecStart's program to exist: point it at this Python, keep the rest.
    text = UNIT.read_text().replace("/opt/kiosk/venv/bin/kiosk", sys.executable)
    (tmp_path / UNIT.name).write_text(text)
    (tmp_path / f"{UNIT.name}.d").mkdir()
    shutil.copy(DROP_IN, tmp_path / f"{UNIT.name}.d")
    env = {**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:", "SYSTEMD_LOG_COLOR": "0"}
    result = subprocess.run(["systemd-analyze", "verify", UNIT.name], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    # Unknown keys only warn (exit 0): any line about our files is a mistake.
    assert str(tmp_path) not in result.stderr + result.stdout


def test_unit_parses_as_ini_with_the_three_sections() -> None:
    parser = configparser.RawConfigParser(strict=False)
    parser.read_string(UNIT.read_text())
    assert parser.sections() == ["Unit", "Service", "Install"]


def test_unit_starts_without_waiting_for_the_network() -> None:
    ordering = " ".join(unit_values("After") + unit_values("Wants") + unit_values("Requires"))
    assert "network-online" not in ordering and "local-fs.target" in ordering


def test_unit_runs_unprivileged_with_the_device_groups() -> None:
    assert unit_values("User") == ["kiosk"]
    assert unit_values("SupplementaryGroups") == ["dialout input video render"]
    assert unit_values("NoNewPrivileges") == ["yes"]


def test_unit_writes_only_its_data_folder() -> None:
    assert unit_values("ProtectSystem") == ["strict"]
    assert unit_values("ReadWritePaths") == ["/var/lib/kiosk"]
    assert unit_values("PrivateTmp") == ["yes"]


def test_unit_keeps_device_access_open_for_hot_plugged_readers() -> None:
    # ProtectClock= and DeviceAllow= switch the unit to a device allow-list.
    for key in ("PrivateDevices", "DeviceAllow", "DevicePolicy", "ProtectClock"):
        assert unit_values(key) == []


def test_unit_uses_notify_with_watchdog_and_restarts_on_failure() -> None:
    assert unit_values("Type") == ["notify"] and unit_values("WatchdogSec") == ["30"]
    assert unit_values("Restart") == ["on-failure"]


def test_unit_runs_kivy_on_kms_with_its_home_in_the_data_folder() -> None:
    environment = unit_values("Environment")
    assert "SDL_VIDEODRIVER=kmsdrm" in environment
    assert "KIVY_HOME=/var/lib/kiosk/kivy" in environment


def test_install_script_parses() -> None:
    result = subprocess.run(["bash", "-n", str(INSTALL)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_install_script_help_needs_no_root() -> None:
    result = subprocess.run(["bash", str(INSTALL), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--skip-app" in result.stdout


def test_install_script_refuses_unknown_options() -> None:
    result = subprocess.run(["bash", str(INSTALL), "--bogus"], capture_output=True, text=True)
    assert result.returncode != 0 and "unknown option: --bogus" in result.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="no shellcheck here")
@pytest.mark.parametrize("script", ["install.sh", "debian/build-deb.sh", "debian/postinst",
                                    "debian/prerm", "debian/postrm"])
def test_deployment_scripts_pass_shellcheck(script: str) -> None:
    result = subprocess.run(["shellcheck", str(DEPLOY / script)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout


def test_package_build_script_help_needs_no_bundle() -> None:
    result = subprocess.run(["bash", str(DEPLOY / "debian/build-deb.sh"), "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "--bundle DIR" in result.stdout


def test_deployment_modules_import_neither_kivy_nor_ui() -> None:
    code = ("import sys, kiosk.doctor.checkup, kiosk.sync.enrollment, "
            "kiosk.settings.input_section, kiosk.app.watchdog; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('kivy', 'ui')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=DEPLOY.parent, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
