"""``python -m badge_reader`` run as a real subprocess against virtual readers."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
import serial

from badge_reader.virtual import VirtualReader

REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT = 5.0  # a subprocess has to start Python first


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "badge_reader", *args]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        env=cli_env(),
        cwd=REPO_ROOT,
        timeout=30,
    )


class Running:
    """A CLI subprocess whose stdout and stderr lines arrive on queues."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            cli_command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(),
            cwd=REPO_ROOT,
        )
        self.stdout: queue.Queue[str] = queue.Queue()
        self.stderr: queue.Queue[str] = queue.Queue()
        self.stderr_lines: list[str] = []
        assert self.process.stdout and self.process.stderr
        for stream, lines in (
            (self.process.stdout, self.stdout),
            (self.process.stderr, self.stderr),
        ):
            threading.Thread(target=self._pump, args=(stream, lines), daemon=True).start()

    @staticmethod
    def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    def stdout_line(self) -> str:
        return self.stdout.get(timeout=WAIT)

    def wait_stderr(self, predicate: Callable[[str], bool]) -> str:
        while True:
            line = self.stderr.get(timeout=WAIT)
            self.stderr_lines.append(line)
            if predicate(line):
                return line

    def interrupt(self) -> int:
        """Send Ctrl-C and return the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT)

    def all_stderr(self) -> str:
        while not self.stderr.empty():
            self.stderr_lines.append(self.stderr.get())
        return "\n".join(self.stderr_lines)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)


@pytest.fixture
def spawn() -> Iterator[Callable[..., Running]]:
    running: list[Running] = []

    def start(*args: str) -> Running:
        process = Running(*args)
        running.append(process)
        return process

    yield start
    for process in running:
        process.kill()


@pytest.mark.parametrize("command", [[], ["listen"], ["present"], ["virtual"]])
def test_every_subcommand_has_help(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "usage:" in result.stdout


def test_listen_prints_one_json_line_per_read_with_display_formats(
    virtual_reader: VirtualReader, spawn: Callable[..., Running]
) -> None:
    listen = spawn("listen", "--port", virtual_reader.port, "--protocol", "em4100")
    listen.wait_stderr(lambda line: line.startswith("reader connected"))
    virtual_reader.present("0F00123456")
    virtual_reader.present("1A0067B3C2")
    first, second = json.loads(listen.stdout_line()), json.loads(listen.stdout_line())
    assert first["badge"] == "0F00123456"
    assert first["protocol"] == "em4100"
    assert first["formats"] == {
        "hex": "0F00123456",
        "dec32": "0001193046",
        "facility-card": "018,13398",
    }
    assert second["badge"] == "1A0067B3C2"


def test_listen_has_no_display_formats_for_decimal_ids(spawn: Callable[..., Running]) -> None:
    with VirtualReader(protocol="line-dec") as reader:
        listen = spawn("listen", "--port", reader.port, "--protocol", "line-dec")
        listen.wait_stderr(lambda line: line.startswith("reader connected"))
        reader.present("0000123478")
        assert json.loads(listen.stdout_line())["formats"] is None


def test_listen_exits_zero_on_ctrl_c_without_a_traceback(
    virtual_reader: VirtualReader, spawn: Callable[..., Running]
) -> None:
    listen = spawn("listen", "--port", virtual_reader.port, "--protocol", "em4100")
    listen.wait_stderr(lambda line: line.startswith("reader connected"))
    assert listen.interrupt() == 0
    assert "Traceback" not in listen.all_stderr()


def test_listen_reports_a_missing_port_on_stderr_and_keeps_trying(
    short_tmp: Path, spawn: Callable[..., Running]
) -> None:
    listen = spawn("listen", "--port", str(short_tmp / "ttyUSB9"), "--protocol", "em4100")
    line = listen.wait_stderr(lambda line: line.startswith("reader error"))
    assert line.endswith(f"Reader not found on {short_tmp / 'ttyUSB9'}")
    assert listen.process.poll() is None
    assert listen.interrupt() == 0


def test_listen_reports_rejected_frames_without_their_bytes(
    virtual_reader: VirtualReader, spawn: Callable[..., Running]
) -> None:
    listen = spawn("listen", "--port", virtual_reader.port, "--protocol", "em4100")
    listen.wait_stderr(lambda line: line.startswith("reader connected"))
    virtual_reader.write(b"\x020F0012345600\x03")
    line = listen.wait_stderr(lambda line: line.startswith("rejected"))
    assert line == "rejected input: bad-checksum (14 bytes)"


def test_present_command_reaches_a_virtual_reader_in_another_process(
    short_tmp: Path,
) -> None:
    control = str(short_tmp / "ctl")
    with VirtualReader(control) as reader:
        with serial.Serial(reader.port, timeout=WAIT) as port:
            result = run_cli("present", "0400F1A2B3", "--control", control)
            assert result.returncode == 0, result.stderr
            assert port.read(14) == b"\x020400F1A2B3E4\x03"


def test_virtual_command_serves_listen_and_present_end_to_end(
    short_tmp: Path, spawn: Callable[..., Running]
) -> None:
    control = str(short_tmp / "ctl")
    virtual = spawn("virtual", "--control", control)
    port = virtual.stdout_line()
    assert port.startswith("/dev/")
    listen = spawn("listen", "--port", port, "--protocol", "em4100")
    listen.wait_stderr(lambda line: line.startswith("reader connected"))
    result = run_cli("present", "1A0067B3C2", "--control", control)
    assert result.returncode == 0, result.stderr
    assert json.loads(listen.stdout_line())["badge"] == "1A0067B3C2"
    assert virtual.interrupt() == 0
    assert not Path(control).exists()


def test_present_without_a_running_virtual_reader_fails_clearly(short_tmp: Path) -> None:
    result = run_cli("present", "0F00123456", "--control", str(short_tmp / "nobody"))
    assert result.returncode == 1
    assert "no virtual reader is listening" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["listen", "--protocol", "em4100"], "--port"),
        (["listen", "--port", "/dev/ttyUSB0", "--protocol", "rdm6300"], "invalid choice"),
        (
            ["listen", "--port", "/dev/ttyUSB0", "--protocol", "em4100", "--baud", "fast"],
            "whole number",
        ),
        (
            ["listen", "--port", "/dev/ttyUSB0", "--protocol", "em4100", "--repeat-window", "-1"],
            "between 0 and 3600",
        ),
        (
            ["listen", "--port", "/dev/ttyUSB0", "--protocol", "line-dec", "--reverse-bytes"],
            "reverse_bytes",
        ),
        (
            ["listen", "--port", "/dev/input/event3", "--protocol", "wedge", "--baud", "9600"],
            "--baud does not apply",
        ),
        (["present", "0F0012", "--control", "/tmp/x", "--protocol", "em4100"], "10 hex"),
        (["present", "0F00123456", "--control", "/tmp/x", "--repeat", "0"], "greater than 0"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_invalid_arguments_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_present_says_what_it_sent(short_tmp: Path) -> None:
    control = str(short_tmp / "ctl")
    with VirtualReader(control):
        result = run_cli("present", "0400F1A2B3", "--control", control, "--repeat", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"presented 0400F1A2B3 (the reader's protocol, 2 times) to the virtual reader on {control}")
