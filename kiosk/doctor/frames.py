"""Doctor's look at the badge reader's raw frames: what the reader really sends.

When the terminal runs, it holds the serial port (exclusively, so no two
programs split one reader's bytes): doctor cannot listen then, and says where
the running terminal shows its last frames (the admin screen).  When the port
is free, doctor listens for a few seconds with the same reader thread as the
terminal and reports the frames it saw, accepted or rejected and why: a wrong
``reader.baud`` or ``reader.protocol`` shows as rejected noise.  The frames are
printed for the person who asked (they presented the card); they are never logged.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable

import serial

from badge_reader.frames import FrameSnapshot
from badge_reader.runner import ReaderThread
from badge_reader.status import ReaderState
from kiosk.doctor.check import Check, failed, passed
from kiosk.doctor.devices import holders
from kiosk.doctor.diagnostics import describe_frame_counts
from kiosk.settings.config import Config

SHOW_FRAMES = 3
ADMIN_SCREEN = "the admin screen (admin badge, then the PIN) shows its last raw frames and rejects"


def check_reader_frames(config: Config, listen_s: float,
                        prompt: Callable[[str], None] = lambda text: None) -> list[Check]:
    """Listen to a free serial reader for ``listen_s`` seconds (0: only say how)."""
    protocol = config["reader.protocol"]
    if protocol == "virtual":
        return []
    if protocol == "wedge":
        return [passed("frames", "keyboard-wedge reader: doctor does not grab it; " + ADMIN_SCREEN)]
    port = config["reader.port"]
    if not os.path.exists(port) or not os.access(port, os.R_OK | os.W_OK):
        return []  # the reader check above says why
    if _held(port, config["reader.baud"]):
        return [passed("frames", f"{port} is held by another program (the running terminal?): "
                       f"doctor cannot listen to it; on the terminal, {ADMIN_SCREEN}")]
    if listen_s <= 0:
        return [passed("frames", "not listened to the reader; to see what it sends: kiosk "
                       "doctor --listen 10, and present a card")]
    prompt(f"kiosk doctor: listening to the reader on {port} for {listen_s:.0f} s: "
           "present a card now")
    return [_listen(port, protocol, config["reader.baud"], listen_s)]


def _held(port: str, baud: int) -> bool:
    try:
        serial.Serial(port, baud, timeout=0, exclusive=True).close()
    except serial.SerialException as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EBUSY):
            return True
        return False  # not a usable port: the reader check says so
    return bool(holders(port))


def _listen(port: str, protocol: str, baud: int, listen_s: float) -> Check:
    card = threading.Event()
    connected = threading.Event()
    reader = ReaderThread(port, protocol, baudrate=baud, on_read=lambda _read: card.set(),
                          on_status=lambda s: connected.set()
                          if s.state is ReaderState.CONNECTED else None)
    reader.start()
    try:
        connected.wait(min(2.0, listen_s))
        if card.wait(listen_s):
            time.sleep(0.3)  # the rest of a repeating card's frames
    finally:
        reader.stop()
        reader.join(2.0)
    return _verdict(reader.frames.snapshot(), port, protocol, baud, listen_s)


def _verdict(frames: FrameSnapshot, port: str, protocol: str, baud: int,
             listen_s: float) -> Check:
    """What the frames seen say (pure, for tests)."""
    seen = len(frames.frames)
    if not seen:
        return passed("frames", f"no frame from {port} in {listen_s:.0f} s: fine if no card "
                      "was presented; otherwise check the reader's power and TX wire, and "
                      f"reader.baud ({baud})")
    shown = "; ".join(f"{f.hex} ({f.outcome}{': ' + f.reason if f.reason else ''})"
                      for f in frames.frames[:SHOW_FRAMES])
    text = f"{describe_frame_counts(frames)} in {listen_s:.0f} s; last: {shown}"
    if frames.accepted or frames.repeats:
        return passed("frames", text)
    return failed("frames", "warning", text + ": the reader sends bytes, but no valid "
                  f"{protocol} frame", f"check reader.protocol ({protocol}) and reader.baud "
                  f"({baud}) against the reader's data sheet; try the others with: python -m "
                  f"badge_reader listen --port {port} --protocol PROTOCOL; see docs/readers.md")
