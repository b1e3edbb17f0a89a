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
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.bundle

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "kiosk.spec"
BUILD_TIMEOUT_S = 900
RUN_TIMEOUT_S = 60
COMMANDS = ("run", "demo", "selftest", "doctor", "enroll", "config-example", "tour")
NO_PYINSTALLER = (
    "PyInstaller is not installed in this environment, so the terminal bundle (kiosk.spec) "
    "cannot be built or tested: pip install pyinstaller (it belongs in the 'test' extra "
    "of pyproject.toml)"
)


@dataclass
class Build:
    root: Path  # dist/kiosk: the folder site IT copies to the terminal
    seconds: float
    log: Path
    error: str = ""

    @property
    def executable(self) -> Path:
        return self.root / "kiosk"

    @property
    def internal(self) -> Path:
        return self.root / "_internal"


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """``pyinstaller --noconfirm --clean kiosk.spec`` into a temporary folder, once."""
    work = tmp_path_factory.mktemp("bundle")
    log = work / "pyinstaller.log"
    dist = work / "dist"
    if importlib.util.find_spec("PyInstaller") is None:
        return Build(dist / "kiosk", 0.0, log, NO_PYINSTALLER)
    env = {
        **os.environ,
        "PYINSTALLER_CONFIG_DIR": str(work / "cache"),  # not the user's shared cache
        "KIVY_HOME": str(work / "kivy-home-build"),
    }
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
               "--distpath", str(dist), "--workpath", str(work / "build"), str(SPEC)]
    started = time.monotonic()
    with log.open("w") as out:
        result = subprocess.run(command, cwd=work, env=env, stdout=out,
                                stderr=subprocess.STDOUT, timeout=BUILD_TIMEOUT_S, check=False)
    seconds = time.monotonic() - started
    built = Build(dist / "kiosk", seconds, log)
    if result.returncode != 0 or not built.executable.is_file():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        built.error = f"pyinstaller kiosk.spec failed (exit {result.returncode}):\n{tail}"
    return built


def bundle(build: Build) -> Build:
    if build.error:
        pytest.fail(build.error, pytrace=False)
    return build


@pytest.fixture
def terminal_config() -> Iterator[Path]:
    """A config with a virtual reader and a data folder of its own (a short path: the
    virtual reader's control socket lives there)."""
    folder = Path(tempfile.mkdtemp(prefix="kbundle-"))
    config = folder / "kiosk.toml"
    config.write_text(
        f"[terminal]\ndata_dir = '{folder / 'data'}'\nlanguage = 'fr'\n"
        "[reader]\nprotocol = 'virtual'\n"
    )
    yield config
    shutil.rmtree(folder, ignore_errors=True)


def run_bundle(build: Build, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The frozen terminal, started from a folder away from the sources, offscreen."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH", "PYTHONHOME")}
    env.update({"SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1",
                "KIVY_HOME": str(cwd / "kivy-home")})
    return subprocess.run([str(build.executable), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)


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
