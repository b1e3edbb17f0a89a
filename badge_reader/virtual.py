"""A virtual serial badge reader on a pseudo-terminal, for the demo and for tests.

``VirtualReader.port`` is the pty's slave path (``/dev/pts/N``); a ReaderThread
opens it through pyserial exactly like a real reader. ``present()`` writes real
frames into the master side. With a control socket path, other processes can
present badges too (``python -m badge_reader present ID --control PATH``).
"""

from __future__ import annotations

import logging
import os
import threading
import tty
from types import TracebackType
from typing import Any

from badge_reader.control import ControlServer
from badge_reader.protocols import get_protocol

logger = logging.getLogger(__name__)

RDM_REPEAT_INTERVAL = 0.5  # RDM readers repeat the frame about twice a second
# A request over the control socket blocks its server for repeat * 0.5 s; keep that short.
MAX_CONTROL_REPEAT = 100


class VirtualReader:
    """A pty that behaves like a transmit-only serial badge reader.

    ``protocol`` is the registry name whose frames ``present()`` writes by
    default (any serial protocol). ``control_path``, if given, is a UNIX socket
    path on which other processes can ask for a badge to be presented. Use as a
    context manager or call ``close()``; closing while a ReaderThread has the
    port open looks to it like a reader unplugged mid-read.
    """

    def __init__(self, control_path: str | None = None, *, protocol: str = "em4100") -> None:
        self.protocol = protocol
        self._encoder(protocol)  # fail early on a protocol we cannot simulate
        self._master, self._slave = os.openpty()
        # Raw mode: no CR->LF translation or echo before a reader program
        # configures the port (pyserial does the same when it opens it).
        tty.setraw(self._slave)
        # A real reader never blocks when nobody reads it; it just loses bytes.
        os.set_blocking(self._master, False)
        self.port: str = os.ttyname(self._slave)
        self._write_lock = threading.Lock()
        self._closed = threading.Event()
        self._control: ControlServer | None = None
        if control_path is not None:
            try:
                self._control = ControlServer(control_path, self._handle_request)
            except OSError:
                self.close()
                raise

    @property
    def control_path(self) -> str | None:
        """The control socket path, or None without one."""
        return self._control.path if self._control else None

    def present(
        self,
        badge: str,
        protocol: str | None = None,
        *,
        repeat: int = 1,
        interval: float = RDM_REPEAT_INTERVAL,
    ) -> None:
        """Write the frame(s) a reader sends when ``badge`` is presented.

        ``protocol`` defaults to the reader's own. ``repeat`` > 1 sends the frame
        that many times, ``interval`` seconds apart, like an RDM reader while the
        card is held; this call blocks for that long (``close()`` cuts it short).
        Raises ValueError for an id the protocol cannot carry.
        """
        if repeat < 1:
            raise ValueError("repeat must be at least 1")
        frame = self._encoder(protocol or self.protocol)(badge)
        for index in range(repeat):
            if index and self._closed.wait(interval):
                return
            self.write(frame)

    def write(self, data: bytes) -> None:
        """Write raw bytes to the line (noise, partial frames...) as the reader would."""
        if self._closed.is_set():
            raise ValueError("virtual reader is closed")
        with self._write_lock:
            view = memoryview(data)
            while view:
                try:
                    written = os.write(self._master, view)
                except BlockingIOError:
                    # Nobody has been reading the port and the pty buffer is full.
                    logger.warning("virtual reader dropped %d bytes: port not read", len(view))
                    return
                view = view[written:]

    def close(self) -> None:
        """Stop the control socket and close the pty (idempotent)."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._control is not None:
            self._control.close()
        with self._write_lock:
            for fd in (self._master, self._slave):
                try:
                    os.close(fd)
                except OSError:
                    pass

    def __enter__(self) -> VirtualReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def _encoder(protocol: str) -> Any:
        spec = get_protocol(protocol)
        if spec.encode is None:
            raise ValueError(f"the {protocol!r} protocol cannot be simulated on a serial port")
        return spec.encode

    def _handle_request(self, request: dict[str, Any]) -> None:
        if request.get("command") != "present":
            raise ValueError("unknown command")
        badge = request.get("badge")
        protocol = request.get("protocol")
        repeat = request.get("repeat", 1)
        if not isinstance(badge, str) or not isinstance(repeat, int):
            raise ValueError("present needs a badge string and an integer repeat")
        if not 1 <= repeat <= MAX_CONTROL_REPEAT:
            raise ValueError(f"repeat must be between 1 and {MAX_CONTROL_REPEAT}")
        if protocol is not None and not isinstance(protocol, str):
            raise ValueError("protocol must be a string")
        self.present(badge, protocol, repeat=repeat)
