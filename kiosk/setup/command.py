"""``kiosk setup --server URL --code CODE``: the steps, in order, each saying what it found.

1. the badge reader: given (``--reader-port`` and ``--reader-protocol``, or
   ``--reader-device`` for a keyboard wedge), kept from the existing configuration when
   its port is still there, or found by listening while the installer presents a badge;
2. the screen: the touchscreen(s) and the display size;
3. the configuration, merged into the existing file and written in one piece;
4. enrollment (kept when this terminal is already enrolled with that server);
5. ``kiosk doctor``;
6. the systemd service, enabled and (re)started; skipped, and said so, without systemd.

Nothing is written before the reader is known and the choices are confirmed (or
``--yes``).  A step that fails says what to do and stops; what the earlier steps wrote
is whole (the configuration is replaced in one rename; enrollment saves its token in
one), so running the command again picks up where it stopped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from kiosk.settings.config import Config, ConfigError
from kiosk.setup.config_file import read_values, write_config
from kiosk.setup.reader_search import (
    FoundReader,
    search_serial,
    search_wedge,
    serial_candidates,
    wedge_candidates,
)
from kiosk.setup.screen import find_screen

SERVICE = "kiosk-terminal.service"
SYSTEMD_RUNNING = Path("/run/systemd/system")
DEFAULT_DATA_DIR = "/var/lib/kiosk"
STEPS = 6


@dataclass
class SetupOptions:
    server: str
    code: str
    config_path: Path
    name: str = ""
    data_dir: str = ""
    reader_port: str = ""
    reader_protocol: str = ""
    reader_device: str = ""
    search_ports: list[str] = field(default_factory=list)  # instead of /dev/serial/by-id
    find_reader: bool = False  # search even when the configured port is still there
    listen_s: float = 20.0
    size: tuple[int, int] | None = None
    yes: bool = False
    service: bool = True
    force_enroll: bool = False


class SetupFailed(Exception):
    """A step failed: ``message`` says what, ``fix`` what to do."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class Steps:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.n = 0

    def start(self, what: str) -> None:
        self.n += 1
        self.out.write(f"[{self.n}/{STEPS}] {what}\n")
        self.out.flush()

    def say(self, text: str) -> None:
        self.out.write(f"      {text}\n")
        self.out.flush()


def setup_command(options: SetupOptions, out: TextIO | None = None,
                  answer: TextIO | None = None) -> int:
    """Run every step; 0 when the terminal is set up, 1 when a step failed."""
    out = out or sys.stdout
    steps = Steps(out)
    try:
        existing = read_values(options.config_path)
        reader = _reader_step(options, existing, steps)
        choices = _choices(options, existing, reader, _screen_step(options, steps))
        if not options.yes and not _confirm(options, out, answer or sys.stdin):
            out.write("Nothing was written. Run again, or add --yes to accept the choices.\n")
            return 1
        config = _config_step(options, choices, steps)
        _enroll_step(options, config, steps)
        _doctor_step(config, steps)
        _service_step(options, steps)
    except SetupFailed as exc:
        out.write(f"      FAILED: {exc.message}\n      fix: {exc.fix}\n")
        return 1
    out.write("The terminal is set up.\n")
    return 0


# 1. The reader -----------------------------------------------------------------------------

def _reader_step(options: SetupOptions, existing: dict[str, dict[str, Any]],
                 steps: Steps) -> FoundReader:
    steps.start("badge reader")
    if options.reader_device:
        steps.say(f"given: keyboard-wedge reader {options.reader_device}")
        return FoundReader("wedge", device=options.reader_device)
    if options.reader_port:
        protocol = options.reader_protocol or "em4100"
        steps.say(f"given: {options.reader_port}, protocol {protocol}")
        return FoundReader(protocol, port=options.reader_port)
    kept = _configured_reader(existing)
    if kept is not None and not options.find_reader:
        steps.say(f"kept from the configuration: {kept.describe()} "
                  "(--find-reader to search again)")
        return kept
    ports = options.search_ports or serial_candidates()
    wedges = [] if options.search_ports else wedge_candidates()
    if not ports and not wedges:
        raise SetupFailed("no serial port and no keyboard device to listen to",
                          "plug the reader in (ls /dev/serial/by-id), or give "
                          "--reader-port PATH --reader-protocol NAME")
    steps.say(f"listening to {len(ports)} serial port(s): {', '.join(ports) or 'none'}")
    steps.say(f"PRESENT A BADGE TO THE READER NOW (for up to {options.listen_s:.0f} s)")
    found, errors = search_serial(ports, options.listen_s) if ports else (None, [])
    for error in errors:
        steps.say(f"could not listen to {error}")
    if found is None and wedges:
        steps.say(f"trying {len(wedges)} keyboard device(s) as a keyboard-wedge reader")
        found, why = search_wedge(wedges, options.listen_s)
        if why:
            steps.say(f"keyboard-wedge readers skipped: {why}")
    if found is None:
        raise SetupFailed(
            f"no badge was read in {options.listen_s:.0f} s",
            "check the reader's cable and power, run 'kiosk setup' again and present a "
            "badge while it listens (--listen S for longer), or give --reader-port PATH "
            "--reader-protocol NAME (docs/readers.md lists the protocols)")
    steps.say(f"found: {found.describe()}")
    return found


def _configured_reader(existing: dict[str, dict[str, Any]]) -> FoundReader | None:
    reader = existing.get("reader", {})
    protocol = str(reader.get("protocol", ""))
    if protocol == "wedge" and reader.get("device") and Path(str(reader["device"])).exists():
        return FoundReader("wedge", device=str(reader["device"]))
    port = str(reader.get("port", ""))
    if protocol and protocol not in ("virtual", "wedge") and port and Path(port).exists():
        return FoundReader(protocol, port=port)
    return None


# 2. The screen -----------------------------------------------------------------------------

def _screen_step(options: SetupOptions, steps: Steps) -> tuple[int, int] | None:
    steps.start("screen")
    screen = find_screen()
    if screen.touchscreens:
        for touch in screen.touchscreens:
            steps.say(f"touchscreen: {touch} (used at each start)")
    else:
        steps.say("no touchscreen found: the mouse will be used (plug the touch cable "
                  "in; 'kiosk doctor' checks it again)")
    if options.size is not None:
        steps.say(f"display size given: {options.size[0]}x{options.size[1]}")
        return options.size
    if screen.size is not None:
        steps.say(f"display: {screen.connector}, {screen.size[0]}x{screen.size[1]}")
        return screen.size
    steps.say("no connected display found: keeping the configured size (--size WxH to set it)")
    return None


# 3. The configuration ----------------------------------------------------------------------

def _choices(options: SetupOptions, existing: dict[str, dict[str, Any]], reader: FoundReader,
             size: tuple[int, int] | None) -> dict[str, Any]:
    choices: dict[str, Any] = {"server.url": options.server,
                               "reader.protocol": reader.protocol}
    if reader.device:
        choices["reader.device"] = reader.device
    else:
        choices["reader.port"] = reader.port
    if options.name:
        choices["terminal.name"] = options.name
    elif "name" not in existing.get("terminal", {}):
        choices["terminal.name"] = os.uname().nodename[:64] or "Terminal 1"
    data_dir = options.data_dir or existing.get("terminal", {}).get("data_dir") or DEFAULT_DATA_DIR
    choices["terminal.data_dir"] = str(data_dir)
    if size is not None:
        choices["display.width"], choices["display.height"] = size
        choices["display.fullscreen"] = True
    return choices


def _confirm(options: SetupOptions, out: TextIO, answer: TextIO) -> bool:
    out.write(f"Write {options.config_path}, enroll with {options.server}"
              f"{' and start the service' if options.service else ''}? [Y/n] ")
    out.flush()
    reply = answer.readline()
    if not reply:  # no terminal to ask: never assume yes
        out.write("\n")
        return False
    return reply.strip().lower() in ("", "y", "yes", "o", "oui")


def _config_step(options: SetupOptions, choices: dict[str, Any], steps: Steps) -> Config:
    steps.start(f"configuration {options.config_path}")
    try:
        config = write_config(options.config_path, choices)
    except ConfigError as exc:
        raise SetupFailed(f"{exc.key} = {exc.value!r} is not valid ({exc.allowed})",
                          "correct that option (or that line of the file) and run again") from None
    except OSError as exc:
        raise SetupFailed(f"cannot write {options.config_path} ({exc.strerror})",
                          "run 'kiosk setup' as root (or with sudo)") from None
    for dotted, value in choices.items():
        steps.say(f"{dotted} = {value}")
    return config


# 4. Enrollment -----------------------------------------------------------------------------

def _enroll_step(options: SetupOptions, config: Config, steps: Steps) -> None:
    from kiosk.sync.credentials import load_enrollment
    from kiosk.sync.enrollment import EnrollmentError, describe, enroll_terminal

    steps.start("enrollment")
    try:
        current = load_enrollment(config.data_dir)
    except (ValueError, OSError):
        current = None
    if current is not None and not options.force_enroll:
        if current.server_url.rstrip("/") == options.server.rstrip("/"):
            steps.say(f"already enrolled: {describe(current)} (kept; the code was not used)")
            return
        raise SetupFailed(f"this terminal is enrolled with another server ({describe(current)})",
                          "add --force-enroll to replace that enrollment")
    try:
        enrollment = enroll_terminal(config.data_dir, options.server, options.code,
                                     config["terminal.name"], force=options.force_enroll)
    except EnrollmentError as exc:
        raise SetupFailed(exc.message, exc.fix) from None
    steps.say(f"enrolled: {describe(enrollment)}")


# 5. The doctor -----------------------------------------------------------------------------

def _doctor_step(config: Config, steps: Steps) -> None:
    from kiosk.doctor.checkup import exit_code, format_report, run_checks

    steps.start("kiosk doctor")
    checks = run_checks(config)
    for line in format_report(checks).splitlines():
        steps.say(line)
    if exit_code(checks) != 0:
        raise SetupFailed("the doctor found errors (above)",
                          "fix each error as it says, then run 'kiosk setup' again "
                          "(what is done already is kept)")


# 6. The service ----------------------------------------------------------------------------

def _service_step(options: SetupOptions, steps: Steps) -> None:
    steps.start(f"service {SERVICE}")
    if not options.service:
        steps.say("skipped (--no-service)")
        return
    systemctl = shutil.which("systemctl")
    if systemctl is None or not SYSTEMD_RUNNING.is_dir():
        steps.say("skipped: systemd is not running here; start the terminal with "
                  "'kiosk run --config " + str(options.config_path) + "'")
        return
    for command in (["enable", SERVICE], ["restart", SERVICE]):
        result = subprocess.run([systemctl, *command], capture_output=True, text=True,
                                check=False, timeout=60)
        if result.returncode != 0:
            raise SetupFailed(f"systemctl {' '.join(command)} failed: "
                              f"{result.stderr.strip() or result.returncode}",
                              f"read 'journalctl -u {SERVICE}' and run again")
    steps.say("enabled and started; its log: journalctl -u kiosk-terminal -f")
