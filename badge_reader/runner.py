"""Reader threads: own one device, decode its input, reconnect when it goes away.

The device is opened, read and closed only on the reader thread, inside
``run()``. Other threads call ``stop()``, which only sets an Event. Callbacks
(``on_read``, ``on_status``, ``on_reject``) run on the reader thread; a UI must
hand results over to its own thread (in Kivy: ``Clock.schedule_once``).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

import serial

from badge_reader.frames import ACCEPTED, REJECTED, REPEAT, FrameLog
from badge_reader.protocols import create_protocol, get_protocol
from badge_reader.protocols.base import BadgeProtocol
from badge_reader.read import BadgeRead
from badge_reader.repeat import DEFAULT_REPEAT_WINDOW, RepeatFilter
from badge_reader.status import (
    ReaderState,
    ReaderStatus,
    describe_open_error,
    describe_read_error,
)
from contract.backoff import Backoff

logger = logging.getLogger(__name__)

StatusCallback = Callable[[ReaderStatus], None]


def _describe_exception(exc: BaseException) -> str:
    """Type and innermost location of ``exc``, without its message.

    Exception messages from callbacks may quote a badge id (``KeyError('0F00...')``);
    the privacy rule keeps those out of the log, the location is enough to debug.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


class BaseReaderThread(threading.Thread):
    """Connect / read / reconnect loop shared by serial and keyboard-wedge readers.

    Subclasses set ``transport`` and implement ``_open``, ``_pump`` and
    ``_close``. ``_pump`` reads until the stop Event is set (then returns) or
    the device fails (then raises). Every exception inside the loop is caught:
    the thread reports a status and retries with exponential backoff
    (``backoff_initial`` doubling up to ``backoff_max`` seconds) until stopped.
    Accepted reads pass through a RepeatFilter of ``repeat_window`` seconds.
    """

    transport: ClassVar[str] = ""

    def __init__(
        self,
        source: str,
        protocol: str,
        *,
        on_read: Callable[[BadgeRead], None],
        on_status: StatusCallback | None = None,
        on_reject: Callable[[str, bytes], None] | None = None,
        repeat_window: float = DEFAULT_REPEAT_WINDOW,
        reverse_bytes: bool = False,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        poll_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name=f"badge-reader:{source}", daemon=True)
        spec = get_protocol(protocol)
        if spec.transport != self.transport:
            raise ValueError(f"protocol {protocol!r} needs a {spec.transport} reader thread")
        self.source = source
        self.protocol_name = protocol
        self.poll_interval = poll_interval
        self._on_read = on_read
        self._on_status = on_status
        self._on_reject = on_reject
        self._make_protocol = partial(
            create_protocol,
            protocol,
            self._deliver,
            self._rejected,
            reverse_bytes=reverse_bytes,
            clock=clock,
        )
        self._make_protocol()  # invalid options fail here, in the caller, not on the thread
        self._repeats = RepeatFilter(repeat_window, clock)
        self._backoff = Backoff(backoff_initial, backoff_max, jitter=False)
        self._stop_event = threading.Event()
        self._status: ReaderStatus | None = None
        self._counts_lock = threading.Lock()
        self._reject_counts: Counter[str] = Counter()
        #: The last raw frames and the counters, for diagnostics screens (thread-safe).
        self.frames = FrameLog()

    # -- public, callable from any thread ------------------------------------

    def stop(self) -> None:
        """Ask the thread to close the device and exit (within ~poll_interval)."""
        self._stop_event.set()

    @property
    def status(self) -> ReaderStatus | None:
        """The last status reported, or None before the thread ran."""
        return self._status

    def reject_counts(self) -> dict[str, int]:
        """Rejected frames per reason since the thread started (for diagnostics)."""
        with self._counts_lock:
            return dict(self._reject_counts)

    # -- the reader thread ----------------------------------------------------

    def run(self) -> None:
        """Thread body; do not call directly, use ``start()``."""
        self._set_status(ReaderState.CONNECTING, f"Connecting to reader on {self.source}")
        while not self._stop_event.is_set():
            try:
                self._connect_and_read()
            except Exception as exc:  # a bug must not kill the reader for the whole shift
                logger.error("reader loop failed: %s", _describe_exception(exc))
                self._set_status(ReaderState.ERROR, f"Reader error ({type(exc).__name__})")
                self._wait_backoff()
        self._set_status(ReaderState.DISCONNECTED, f"Reader on {self.source} stopped")

    def _connect_and_read(self) -> None:
        try:
            device = self._open()
        except Exception as exc:
            self._set_status(ReaderState.ERROR, describe_open_error(exc, self.source))
            self._wait_backoff()
            return
        protocol = self._make_protocol()
        failure: Exception | None = None
        try:
            self._backoff.success()
            self._set_status(ReaderState.CONNECTED, f"Reader connected on {self.source}")
            self._pump(device, protocol)
        except Exception as exc:
            failure = exc
        finally:
            self._close_quietly(device)
        protocol.connection_lost(failure)
        if failure is not None and not self._stop_event.is_set():
            self._set_status(ReaderState.DISCONNECTED, describe_read_error(failure, self.source))
            self._wait_backoff()

    def _wait_backoff(self) -> None:
        # Event.wait, not sleep: stop() interrupts the wait at once.
        self._stop_event.wait(self._backoff.failure())

    def _close_quietly(self, device: Any) -> None:
        try:
            self._close(device)
        except Exception as exc:  # the device may already be gone
            logger.debug("closing %s failed: %s", self.source, _describe_exception(exc))

    def _deliver(self, read: BadgeRead) -> None:
        if self._repeats.accept(read.badge, read.monotonic):
            self.frames.record(read.raw, ACCEPTED, protocol=read.protocol)
            self._call(self._on_read, read)
        else:
            self.frames.record(read.raw, REPEAT, protocol=read.protocol)

    def _rejected(self, reason: str, raw: bytes) -> None:
        with self._counts_lock:
            self._reject_counts[reason] += 1
        self.frames.record(raw, REJECTED, reason, self.protocol_name)
        if self._on_reject is not None:
            self._call(self._on_reject, reason, raw)

    def _set_status(self, state: ReaderState, message: str) -> None:
        status = ReaderStatus(state, message)
        if status == self._status:
            return  # retries that fail the same way are reported once
        self._status = status
        logger.info("%s", message)
        if self._on_status is not None:
            self._call(self._on_status, status)

    def _call(self, callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception as exc:
            logger.error("reader callback failed: %s", _describe_exception(exc))

    # -- per transport ----------------------------------------------------------

    def _open(self) -> Any:
        raise NotImplementedError

    def _pump(self, device: Any, protocol: BadgeProtocol) -> None:
        raise NotImplementedError

    def _close(self, device: Any) -> None:
        raise NotImplementedError


class ReaderThread(BaseReaderThread):
    """Reads a serial badge reader (or a VirtualReader's pty) with pyserial.

    ``port`` is the device path (``/dev/ttyUSB0``, a ``/dev/serial/by-id/...``
    link, a pty); ``protocol`` a serial registry name; ``baudrate`` defaults to
    the protocol's usual rate. The port is opened with an exclusive lock so two
    programs never split one reader's bytes between them. Other keyword
    arguments are those of BaseReaderThread.
    """

    transport = "serial"

    def __init__(
        self, port: str, protocol: str = "em4100", *, baudrate: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(port, protocol, **kwargs)
        self.baudrate = baudrate or get_protocol(protocol).default_baud

    def _open(self) -> serial.Serial:
        return serial.Serial(self.source, self.baudrate, timeout=self.poll_interval, exclusive=True)

    def _pump(self, device: serial.Serial, protocol: BadgeProtocol) -> None:
        while not self._stop_event.is_set():
            # Short timeout: wake up regularly to notice stop().
            data = device.read(device.in_waiting or 1)
            if data:
                protocol.data_received(data)

    def _close(self, device: serial.Serial) -> None:
        device.close()
