"""The deployment bundle: ``pyinstaller kiosk.spec`` builds it, and the frozen terminal starts.

The bundle is built once per session into a temporary folder (never into the
repository's build/ or dist/), with its own PyInstaller cache and Kivy home, then
started as site IT would start it: from another folder, offscreen, with a virtual
reader.  Without PyInstaller these tests fail (CI installs it with the test extra).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
from pathlib import Path

import pytest

from tests.support.bundle_rig import NO_PYINSTALLER, REPO, Build, bundle, run_bundle

pytestmark = pytest.mark.bundle

COMMANDS = ("run", "demo", "selftest", "doctor", "enroll", "setup", "config-example", "tour")


def test_pyinstaller_is_installed() -> None:
    assert importlib.util.find_spec("PyInstaller") is not None, NO_PYINSTALLER


def test_bundle_builds_one_folder(build: Build) -> None:
    built = bundle(build)
    assert built.executable.is_file() and os.access(built.executable, os.X_OK)
    assert built.internal.is_dir(), "a one-folder build keeps its libraries in _internal/"
    print(f"bundle built in {built.seconds:.0f} s")


def test_bundle_holds_the_kv_rules_and_catalogs(build: Build) -> None:
    internal = bundle(build).internal
    kv_files = sorted(p.relative_to(REPO) for p in (REPO / "kiosk/ui").rglob("*.kv"))
    assert kv_files, "no .kv files in kiosk/ui/"
    for name in kv_files:
        assert (internal / name).is_file(), f"{name} is missing from the bundle"
    for catalog in sorted(REPO.glob("locale/*/LC_MESSAGES/*.mo")):
        bundled = internal / catalog.relative_to(REPO)
        assert bundled.is_file(), f"{catalog.relative_to(REPO)} is missing from the bundle"
        assert bundled.read_bytes() == catalog.read_bytes()
    assert (internal / "locale/fr/LC_MESSAGES/kiosk.mo").is_file()
    # Kivy's own data (default shaders, style.kv, the Roboto font the screens use).
    assert (internal / "kivy_install/data/fonts/Roboto-Regular.ttf").is_file()


def test_bundle_leaves_out_the_server_and_unused_providers(build: Build) -> None:
    from PyInstaller.archive.readers import pkg_archive_contents

    modules = set(pkg_archive_contents(str(bundle(build).executable)))
    for needed in ("kiosk.cli", "kiosk.ui.wiring.launch", "kiosk.ui.wiring.selftest",
                   "kiosk.ui.wiring.shell", "badge_reader.virtual",
                   "kiosk.sync.client", "kivy.core.window.window_sdl2", "kivy.core.image.img_sdl2"):
        assert needed in modules, f"{needed} is missing from the bundle"
    for left_out in ("kiosk.ui.tooling", "kiosk.demo.server", "server", "fastapi", "uvicorn",
                     "sqlalchemy", "pydantic", "tkinter", "kivy.core.video", "kivy.core.audio",
                     "kivy.core.camera", "pytest"):
        assert not {m for m in modules if m == left_out or m.startswith(left_out + ".")}, (
            f"{left_out} should not be in the bundle")


def test_bundle_help_lists_the_commands(build: Build, tmp_path: Path) -> None:
    result = run_bundle(bundle(build), "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert re.search(rf"^\s+{re.escape(command)}\b", result.stdout, re.M), result.stdout


def test_bundle_selftest_reaches_the_idle_screen(
    build: Build, terminal_config: Path, tmp_path: Path
) -> None:
    result = run_bundle(bundle(build), "selftest", "--config", str(terminal_config),
                        cwd=tmp_path)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    ready = re.search(r"^ready (\d+\.\d+)$", result.stdout, re.M)
    assert ready, f"no 'ready' line:\n{result.stdout}\n{result.stderr}"
    assert re.search(r"^rss \d+$", result.stdout, re.M), result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    print(f"bundle ready in {float(ready[1]):.3f} s")


def test_bundle_doctor_reads_the_versions(
    build: Build, terminal_config: Path, tmp_path: Path
) -> None:
    """'kiosk doctor' reads Kivy's and pyserial's versions from the bundled metadata."""
    result = run_bundle(bundle(build), "doctor", "--config", str(terminal_config),
                        cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    kivy = re.escape(importlib.metadata.version("kivy"))
    assert re.search(rf"Kivy\s+{kivy},", result.stdout), result.stdout
    assert re.search(r"pyserial\s+\d", result.stdout), result.stdout
