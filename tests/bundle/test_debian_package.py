"""The Debian package: built from the session's bundle by deploy/debian/build-deb.sh,
checked with lintian, and installed into a throwaway root with dpkg (its maintainer
scripts run against that root through DPKG_ROOT), from where the terminal starts."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.support.bundle_rig import REPO, Build, bundle, run_bundle

pytestmark = pytest.mark.bundle

BUILD_DEB = REPO / "deploy/debian/build-deb.sh"
GROUPS = ("dialout", "input", "video", "render")


@pytest.fixture(scope="session")
def package(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deb")
    result = subprocess.run([str(BUILD_DEB), "--bundle", str(bundle(build).root), "--out",
                             str(out)], capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def installed(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch root with a dpkg database and the system's device groups, the package
    installed in it (its dependencies are the real system's business, not this root's)."""
    root = tmp_path_factory.mktemp("root")
    for folder in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"):
        (root / folder).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    (root / "etc").mkdir()
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc/group").write_text("root:x:0:\ndialout:x:20:\nvideo:x:44:\n")
    result = subprocess.run(
        ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends",
         "--force-not-root", "--log=/dev/null", "-i", str(package)],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_the_package_is_named_for_the_version_and_the_architecture(package: Path) -> None:
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert package.name == f"kiosk-terminal_0.1.0_{arch}.deb"


def test_lintian_finds_no_error_and_no_warning(package: Path) -> None:
    if shutil.which("lintian") is None:
        pytest.skip("lintian is not installed here (./dev installs it)")
    result = subprocess.run(["lintian", "--tag-display-limit", "0", str(package)],
                            capture_output=True, text=True, timeout=600, check=False)
    problems = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert not problems, "\n".join(problems)


def test_the_package_brings_its_os_libraries_as_dependencies(package: Path) -> None:
    depends = subprocess.run(["dpkg-deb", "-f", str(package), "Depends"], capture_output=True,
                             text=True, check=True).stdout
    for needed in ("libgl1", "libegl1", "libegl-mesa0", "libgl1-mesa-dri", "libmtdev1",
                   "libgbm1", "libdrm2", "systemd"):
        assert needed in depends


def test_installing_makes_the_system_user_in_the_device_groups(installed: Path) -> None:
    users = (installed / "etc/passwd").read_text()
    assert any(line.startswith("kiosk:") and line.endswith(":/usr/sbin/nologin")
               for line in users.splitlines())
    groups = {line.split(":")[0]: line.split(":")[3].split(",")
              for line in (installed / "etc/group").read_text().splitlines()}
    for group in GROUPS:  # made where the system lacks one (input, render here)
        assert "kiosk" in groups[group], group


def test_the_data_folder_is_the_users_alone(installed: Path) -> None:
    data = installed / "var/lib/kiosk"
    uid = next(int(line.split(":")[2]) for line in (installed / "etc/passwd").read_text()
               .splitlines() if line.startswith("kiosk:"))
    assert stat.S_IMODE(data.stat().st_mode) == 0o700 and data.stat().st_uid == uid


def test_the_bundle_and_the_command_are_installed_root_owned(installed: Path) -> None:
    executable = installed / "opt/kiosk-terminal/kiosk"
    assert executable.stat().st_uid == 0 and stat.S_IMODE(executable.stat().st_mode) == 0o755
    assert (installed / "opt/kiosk-terminal/_internal").is_dir()
    assert os.readlink(installed / "usr/bin/kiosk") == "/opt/kiosk-terminal/kiosk"


def test_the_configuration_is_a_conffile_with_the_installed_data_folder(installed: Path) -> None:
    conffiles = (installed / "var/lib/dpkg/info/kiosk-terminal.conffiles").read_text().split()
    assert "/etc/kiosk/kiosk.toml" in conffiles
    assert "/etc/default/grub.d/kiosk-terminal.cfg" in conffiles
    config = tomllib.loads((installed / "etc/kiosk/kiosk.toml").read_text())
    assert config["terminal"]["data_dir"] == "/var/lib/kiosk"
    assert config["display"]["fullscreen"] is True


def test_the_unit_runs_the_installed_command_under_the_watchdog(installed: Path) -> None:
    unit = (installed / "lib/systemd/system/kiosk-terminal.service").read_text()
    assert "ExecStart=/opt/kiosk-terminal/kiosk run --config /etc/kiosk/kiosk.toml" in unit
    assert "Type=notify" in unit and "WatchdogSec=30" in unit
    assert "StateDirectoryMode=0700" in unit and "User=kiosk" in unit
    assert (installed / "lib/systemd/system/kiosk-terminal.service.d/screen-blanking.conf"
            ).is_file()


def test_the_console_stays_on_without_editing_grub(installed: Path) -> None:
    grub = (installed / "etc/default/grub.d/kiosk-terminal.cfg").read_text()
    assert "consoleblank=0" in grub


def test_the_installed_terminal_starts_to_its_idle_screen(
    build: Build, installed: Path, terminal_config: Path, tmp_path: Path,
) -> None:
    result = run_bundle(build, "selftest", "--config", str(terminal_config), cwd=tmp_path,
                        executable=installed / "opt/kiosk-terminal/kiosk")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "ready " in result.stdout


def test_the_service_user_exists_only_in_the_scratch_root(installed: Path) -> None:
    # The maintainer scripts acted on DPKG_ROOT, never on this machine.
    if any(user.pw_name == "kiosk" for user in pwd.getpwall()):
        pytest.skip("this machine has a kiosk user of its own")
    assert "kiosk:" in (installed / "etc/passwd").read_text()
