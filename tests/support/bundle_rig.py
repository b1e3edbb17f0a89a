"""The PyInstaller bundle for tests: built once per session into a temporary folder, and
started as site IT starts it (from another folder, offscreen).  Used by the bundle's
tests and by the Debian package's, which packs the same build."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "kiosk.spec"
BUILD_TIMEOUT_S = 900
RUN_TIMEOUT_S = 60
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


def build_bundle(tmp_path_factory: pytest.TempPathFactory) -> Build:
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


def make_terminal_config() -> Iterator[Path]:
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


def run_bundle(build: Build, *args: str, cwd: Path,
               executable: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The frozen terminal (or ``executable``, an installed copy of it), started from a
    folder away from the sources, offscreen."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH", "PYTHONHOME")}
    env.update({"SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1",
                "KIVY_HOME": str(cwd / "kivy-home")})
    return subprocess.run([str(executable or build.executable), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)


