"""Reader thread for keyboard-wedge readers, read from their Linux input device.

The device (``/dev/input/by-id/usb-...-event-kbd``) is grabbed exclusively so
the typed ids never reach the focused text field of the UI. python-evdev is an
optional dependency, imported only when the thread opens the device; without
it the thread reports an error status and keeps retrying like for a missing device.
"""

from __future__ import annotations

import select
from typing import Any

from badge_reader.protocols.base import BadgeProtocol
from badge_reader.protocols.wedge import WedgeProtocol
from badge_reader.runner import BaseReaderThread

EV_KEY = 0x01  # linux/input-event-codes.h


class WedgeReaderThread(BaseReaderThread):
    """Reads a keyboard-wedge reader's input device; same callbacks as ReaderThread.

    ``device`` is the input event device path; ``protocol`` must be "wedge".
    """

    transport = "evdev"

    def __init__(self, device: str, protocol: str = "wedge", **kwargs: Any) -> None:
        super().__init__(device, protocol, **kwargs)

    def _open(self) -> Any:
        import evdev  # optional dependency, see module docstring

        device = evdev.InputDevice(self.source)
        try:
            device.grab()
        except Exception:
            device.close()
            raise
        return device

    def _pump(self, device: Any, protocol: BadgeProtocol) -> None:
        assert isinstance(protocol, WedgeProtocol)
        while not self._stop_event.is_set():
            ready, _, _ = select.select([device.fd], [], [], self.poll_interval)
            if not ready:
                continue
            try:
                events = list(device.read())
            except BlockingIOError:
                continue  # woken without a complete event; an unplugged device raises ENODEV
            for event in events:
                if event.type == EV_KEY:
                    protocol.key_event(event.code, event.value)

    def _close(self, device: Any) -> None:
        try:
            device.ungrab()
        finally:
            device.close()
