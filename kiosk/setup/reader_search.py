"""Find the badge reader: listen to every candidate port with every protocol at once.

A reader sends only when a badge is presented, so the search listens: each serial port
(``/dev/serial/by-id/*``, else ``/dev/ttyUSB*`` and ``/dev/ttyACM*``) is opened at
9600 baud (every serial family's default) on a thread of its own, and each byte read is
fed to one decoder per serial protocol.  The first port where a decoder reads a whole
badge, with no framing error, is the reader.  Keyboard-wedge readers are tried the same
way through their input devices when python-evdev is installed.  The badge number
itself is never printed or kept: only the port and the protocol are.
"""

from __future__ import annotations

import glob
import logging
import threading
import time
from dataclasses import dataclass, field

from badge_reader.protocols import PROTOCOLS, create_protocol

log = logging.getLogger(__name__)

SEARCH_BAUD = 9600
SERIAL_PATTERNS = ("/dev/serial/by-id/*",)
FALLBACK_PATTERNS = ("/dev/ttyUSB*", "/dev/ttyACM*")
WEDGE_PATTERN = "/dev/input/by-id/*-event-kbd"


@dataclass(frozen=True)
class FoundReader:
    """Where the badge was read: a serial port and protocol, or a wedge input device."""

    protocol: str
    port: str = ""
    device: str = ""
    # Other protocols that read the same bytes (an all-digit id is hex and decimal).
    also: tuple[str, ...] = ()

    def describe(self) -> str:
        where = self.port or self.device
        extra = f" (also readable as {', '.join(self.also)})" if self.also else ""
        return f"{where}, protocol {self.protocol}{extra}"


def serial_candidates() -> list[str]:
    """The serial ports a reader may be on, stable names first."""
    found = sorted({p for pattern in SERIAL_PATTERNS for p in glob.glob(pattern)})
    if found:
        return found
    return sorted({p for pattern in FALLBACK_PATTERNS for p in glob.glob(pattern)})


def wedge_candidates() -> list[str]:
    return sorted(glob.glob(WEDGE_PATTERN))


def serial_protocols() -> list[str]:
    return [name for name, spec in PROTOCOLS.items() if spec.transport == "serial"]


@dataclass
class _Listener:
    """One port, its decoders, and what they read."""

    port: str
    decoders: dict[str, object] = field(default_factory=dict)
    read_by: list[str] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)
    error: str = ""


def search_serial(ports: list[str], listen_s: float,
                  stop: threading.Event | None = None) -> tuple[FoundReader | None, list[str]]:
    """Listen to ``ports`` for up to ``listen_s`` seconds; the reader found (or None) and,
    per port that could not be opened, why."""
    import serial  # pyserial: loaded here, not when the CLI starts

    done = stop or threading.Event()
    found: list[FoundReader] = []
    lock = threading.Lock()
    listeners = [_Listener(port) for port in ports]

    def listen(listener: _Listener) -> None:
        for name in serial_protocols():
            listener.decoders[name] = create_protocol(
                name,
                lambda _read, name=name: listener.read_by.append(name),
                lambda _reason, _raw, name=name: listener.rejected.add(name),
            )
        try:
            port = serial.Serial(listener.port, SEARCH_BAUD, timeout=0.1)
        except (OSError, serial.SerialException) as exc:
            listener.error = str(exc)
            return
        try:
            while not done.is_set():
                try:
                    data = port.read(256)
                except (OSError, serial.SerialException) as exc:
                    listener.error = str(exc)
                    return
                if not data:
                    continue
                for decoder in listener.decoders.values():
                    decoder.data_received(data)  # type: ignore[attr-defined]
                clean = [n for n in serial_protocols()
                         if n in listener.read_by and n not in listener.rejected]
                if clean:
                    with lock:
                        if not found:
                            found.append(FoundReader(clean[0], port=listener.port,
                                                     also=tuple(clean[1:])))
                    done.set()
        finally:
            port.close()

    threads = [threading.Thread(target=listen, args=(listener,), daemon=True,
                                name=f"setup-listen-{i}") for i, listener in enumerate(listeners)]
    for thread in threads:
        thread.start()
    done.wait(listen_s)
    done.set()
    for thread in threads:
        thread.join(1.0)
    errors = [f"{listener.port}: {listener.error}" for listener in listeners if listener.error]
    return (found[0] if found else None), errors


def search_wedge(devices: list[str], listen_s: float) -> tuple[FoundReader | None, str]:
    """Try keyboard-wedge devices; (found, why skipped)."""
    if not devices:
        return None, "no keyboard input device under /dev/input/by-id"
    try:
        import evdev  # the 'wedge' extra
    except ImportError:
        return None, "python-evdev is not installed"
    deadline = time.monotonic() + listen_s
    opened = []
    for path in devices:
        try:
            opened.append((path, evdev.InputDevice(path)))
        except OSError as exc:
            log.info("wedge device %s not opened (%s)", path, exc)
    reads: dict[str, list[str]] = {path: [] for path, _ in opened}
    decoders = {path: create_protocol("wedge", lambda _r, path=path: reads[path].append(path))
                for path, _ in opened}
    try:
        while time.monotonic() < deadline:
            for path, device in opened:
                try:
                    for event in device.read():
                        if event.type == evdev.ecodes.EV_KEY:
                            decoders[path].key_event(event.code, event.value)  # type: ignore[attr-defined]
                except BlockingIOError:
                    pass
                if reads[path]:
                    return FoundReader("wedge", device=path), ""
            time.sleep(0.05)
    finally:
        for _, device in opened:
            device.close()
    return None, ""
