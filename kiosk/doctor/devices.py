"""Doctor checks of the hardware: badge reader, touchscreen, graphics devices, screen blanking.

Read-only: the serial port is opened (with pyserial's ``exclusive`` lock, as
the terminal does) and closed at once, only to learn whether another program
holds it.  Who holds a device is read from ``/proc/*/fd``; without root only
this user's processes are visible there.
"""

from __future__ import annotations

import ctypes.util
import errno
import glob
import importlib.util
import os
import stat
from pathlib import Path

import serial

from kiosk.doctor.check import (
    SERVICE_NAME,
    Check,
    current_user,
    describe_mode,
    device_access_fix,
    failed,
    passed,
)
from kiosk.settings.config import Config
from kiosk.settings.input_section import find_touchscreens, read_devices_text

DRI_DIR = Path("/dev/dri")
CONSOLEBLANK = Path("/sys/module/kernel/parameters/consoleblank")
READERS_DOC = "docs/readers.md"


def holders(device: str, proc: Path = Path("/proc")) -> list[tuple[int, str]]:
    """(pid, command line) of the other processes that have ``device`` open."""
    target = os.path.realpath(device)
    found = []
    for entry in proc.glob("[0-9]*"):
        if entry.name == str(os.getpid()):
            continue
        try:
            fds = os.listdir(entry / "fd")
        except OSError:  # gone, or another user's process without root
            continue
        for fd in fds:
            try:
                if os.readlink(entry / "fd" / fd) == target:
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                    found.append((int(entry.name), cmdline.decode(errors="replace").strip()))
                    break
            except OSError:
                continue
    return found


def _running(command: str, proc: Path = Path("/proc")) -> bool:
    for comm in proc.glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == command:
                return True
        except OSError:
            continue
    return False


def check_reader(config: Config) -> list[Check]:
    protocol = config["reader.protocol"]
    if protocol == "virtual":
        return [passed("reader", "virtual reader (demo and tests): no hardware to check")]
    if protocol == "wedge":
        return [_check_wedge(config["reader.device"])]
    return _check_serial(config["reader.port"], config["reader.baud"], protocol)


def _missing(kind: str, path: str, candidates: list[str], key: str) -> Check:
    gone = " (a link to a device that is gone: unplugged?)" if os.path.islink(path) else ""
    if candidates:
        fix = f"plug the reader in, or set {key} to one of: {', '.join(candidates)}"
    else:
        fix = ("no such device is present at all: plug the reader in and check its cable "
               "(dmesg | tail shows what the kernel sees)")
    return failed("reader", "error", f"{kind} {path} does not exist{gone}",
                  f"{fix}; see {READERS_DOC}")


def _not_a_device(path: str, key: str) -> Check:
    return failed("reader", "error", f"{path} is not a device ({describe_mode(path)})",
                  f"set {key} to the reader's device path; see {READERS_DOC}")


def _check_serial(port: str, baud: int, protocol: str) -> list[Check]:
    if not os.path.exists(port):
        candidates = sorted(glob.glob("/dev/serial/by-id/*")) or sorted(
            glob.glob("/dev/ttyUSB*") + glob.glob("/dev/ttyACM*"))
        return [_missing("reader port", port, candidates, "reader.port")]
    if not stat.S_ISCHR(os.stat(port).st_mode):
        return [_not_a_device(port, "reader.port")]
    if not os.access(port, os.R_OK | os.W_OK):
        return [failed("reader", "error", f"{port}: permission denied for {current_user()} "
                       f"({describe_mode(port)})", device_access_fix(port))]
    busy = False
    try:
        serial.Serial(port, baud, timeout=0, exclusive=True).close()
    except serial.SerialException as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EBUSY):
            return [failed("reader", "error", f"{port} cannot be used as a serial port "
                           f"({exc.strerror or type(exc).__name__})",
                           f"check that reader.port is the reader's serial device; "
                           f"see {READERS_DOC}")]
        busy = True
    checks = []
    others = holders(port)
    if busy or others:
        checks.append(_busy(port, others))
    if "ttyACM" in os.path.realpath(port) and _running("ModemManager"):
        checks.append(failed("modemmanager", "warning", "ModemManager runs and may probe "
                             f"{port}, swallowing the first frames of the reader",
                             "systemctl disable --now ModemManager (a terminal has no modem)"))
    if not busy and not others:
        seen = "" if os.geteuid() == 0 else " of this user"  # /proc hides others' fds
        checks.insert(0, passed("reader", f"{protocol} reader port {port}: present, read/write "
                                f"for {current_user()}, not locked nor open by another program"
                                f"{seen} ({baud} baud; check the speed with a card: python -m "
                                f"badge_reader listen --port {port} --protocol {protocol})"))
    return checks


def _busy(port: str, others: list[tuple[int, str]]) -> Check:
    terminal = [pid for pid, cmdline in others if "kiosk" in cmdline and " run" in cmdline]
    if terminal and len(terminal) == len(others):
        return passed("reader", f"{port} is held by the running terminal (pid {terminal[0]}): "
                      "normal while the service runs")
    who = ", ".join(f"pid {pid} ({cmdline[:60]})" for pid, cmdline in others) or (
        "a program not visible to this user")
    return failed("reader", "warning", f"{port} is in use by another program: {who}",
                  "stop that program (fuser -v " + port + " names it); the terminal "
                  f"itself holds the port while running: systemctl stop {SERVICE_NAME} "
                  "before trying the reader with 'python -m badge_reader listen'")


def _check_wedge(device: str) -> Check:
    if not device:
        return failed("reader", "error", "reader.protocol is wedge but reader.device is empty",
                      "set reader.device to the reader's /dev/input/by-id/...-event-kbd path "
                      f"(ls -l /dev/input/by-id/ | grep event-kbd); see {READERS_DOC}")
    if not os.path.exists(device):
        candidates = sorted(glob.glob("/dev/input/by-id/*-event-kbd"))
        return _missing("wedge reader device", device, candidates, "reader.device")
    if not stat.S_ISCHR(os.stat(device).st_mode):
        return _not_a_device(device, "reader.device")
    if not os.access(device, os.R_OK):
        return failed("reader", "error", f"{device}: permission denied for {current_user()} "
                      f"({describe_mode(device)})", device_access_fix(device))
    if importlib.util.find_spec("evdev") is None:
        return failed("reader", "error", "keyboard-wedge readers need python-evdev, which is "
                      "not installed", "install it in the terminal's virtualenv: "
                      "pip install evdev (or the project's 'wedge' extra)")
    return passed("reader", f"wedge reader {device}: present and readable")


def check_touch(devices_text: str | None = None) -> list[Check]:
    """Touchscreens Kivy will read, each readable, with libmtdev when one needs it."""
    text = read_devices_text() if devices_text is None else devices_text
    if not text:
        return [passed("touch", "no input device list (/proc/bus/input/devices): not checked")]
    screens = find_touchscreens(text)
    if not screens:
        return [failed("touch", "warning", "no touchscreen found: the screen takes mouse input",
                       "check the touchscreen's USB cable (or, on a Raspberry Pi display, its "
                       "ribbon cable and overlay in /boot/firmware/config.txt); then: "
                       "cat /proc/bus/input/devices")]
    checks = []
    for screen in screens:
        node = f"/dev/input/{screen.device.event}"
        if os.path.exists(node) and not os.access(node, os.R_OK):
            checks.append(failed("touch", "error", f"touchscreen {screen.device.name!r} on {node}:"
                                 f" permission denied for {current_user()}",
                                 device_access_fix(node)))
    if any(s.provider == "mtdev" for s in screens) and ctypes.util.find_library("mtdev") is None:
        checks.append(failed("touch", "error", "libmtdev is missing: Kivy cannot read "
                             "multitouch (protocol B) screens", "apt-get install libmtdev1"))
    names = "; ".join(f"{s.device.name} on /dev/input/{s.device.event} ({s.provider})"
                      for s in screens)
    return checks or [passed("touch", f"touchscreen: {names}")]


def check_render(dri_dir: Path = DRI_DIR) -> Check:
    """KMS/DRM devices the window needs (card: display, renderD: GPU)."""
    nodes = sorted(str(p) for p in dri_dir.glob("card*")) + \
        sorted(str(p) for p in dri_dir.glob("renderD*"))
    if not nodes:
        return failed("display", "warning", f"no graphics device in {dri_dir}: no KMS/DRM driver "
                      "(fine for 'kiosk run --headless' only)",
                      "Raspberry Pi: dtoverlay=vc4-kms-v3d in /boot/firmware/config.txt, then "
                      "reboot; PC: check the GPU driver (lsmod | grep drm); VM: add a virtual GPU")
    for node in nodes:
        if not os.access(node, os.R_OK | os.W_OK):
            return failed("display", "error", f"{node}: permission denied for {current_user()} "
                          f"({describe_mode(node)})", device_access_fix(node))
    return passed("display", "graphics devices usable: " + ", ".join(nodes))


def check_screen_blanking(path: Path = CONSOLEBLANK) -> Check:
    """The kernel console's blank timer also turns a KMS kiosk screen black."""
    try:
        seconds = int(path.read_text().strip())
    except (OSError, ValueError):
        return passed("blanking", "console blanking setting not readable: not checked")
    if seconds > 0:
        return failed("blanking", "warning", f"the console blanks the screen after {seconds} s "
                      f"without keyboard input (consoleblank={seconds})",
                      "add consoleblank=0 to the kernel command line (/boot/firmware/cmdline.txt "
                      "on Raspberry Pi OS; GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub then "
                      "update-grub on Debian) and reboot")
    return passed("blanking", "console screen blanking is off (consoleblank=0)")
