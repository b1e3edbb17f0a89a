"""``kiosk`` entry points: help everywhere, config errors without tracebacks, the demo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.settings.config import render_example

ROOT = Path(__file__).resolve().parents[3]


def _kiosk(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, check=False)


@pytest.mark.parametrize("command", [[], ["run"], ["demo"], ["config-example"], ["tour"]])
def test_every_command_has_help(command):
    result = _kiosk(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_bad_config_names_key_value_and_allowed(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text("[terminal]\nsession_timeout_s = 2\n")
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "terminal.session_timeout_s" in err and "2" in err and "5 to 600" in err
    assert "Traceback" not in err


def test_missing_config_file_exits_2_without_traceback(tmp_path):
    result = _kiosk("run", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert "nope.toml" in result.stderr and "Traceback" not in result.stderr


def test_config_example(capsys):
    assert main(["config-example"]) == 0
    assert capsys.readouterr().out == render_example()


def test_the_core_packages_never_import_kivy():
    code = ("import sys, kiosk.cli, kiosk.app.runtime, kiosk.i18n, badge_reader, "
            "kiosk.storage.outbox; "
            "sys.exit(1 if any(m == 'kivy' or m.startswith('kivy.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_demo_prints_badges_and_a_present_command_that_works():
    data_dir = Path(tempfile.mkdtemp(prefix="kdemo-"))
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen"}
    demo = subprocess.Popen([sys.executable, "-m", "kiosk", "demo", "--data-dir", str(data_dir)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env)
    try:
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(demo.stdout), daemon=True).start()
        end = time.monotonic() + 20
        while not any("badge_reader present" in line for line in lines):
            assert time.monotonic() < end, "".join(lines)
            time.sleep(0.1)
        output = "".join(lines)
        assert "0F00123456" in output and "Camille Martin" in output
        command = next(line for line in lines if "badge_reader present" in line).split()
        socket = Path(command[command.index("--control") + 1])
        while not socket.exists():  # the app opens the virtual reader as it starts
            assert time.monotonic() < end, "no control socket"
            time.sleep(0.1)
        present = subprocess.run([sys.executable, *command[1:]], cwd=ROOT, capture_output=True,
                                 text=True, timeout=20, check=False)
        assert present.returncode == 0, present.stderr
    finally:
        demo.terminate()
        demo.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)


def test_demo_without_a_display_says_how_to_run_it_under_xvfb(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    result = subprocess.run([sys.executable, "-m", "kiosk", "demo", "--data-dir",
                             str(tmp_path / "demo")], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env=env, check=False)
    assert result.returncode == 1
    assert "no display" in result.stderr and "xvfb-run" in result.stderr
    assert not (tmp_path / "demo").exists()  # stopped before seeding anything
