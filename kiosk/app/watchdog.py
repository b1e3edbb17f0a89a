"""systemd notifications (sd_notify) with the socket module only: READY, WATCHDOG, STOPPING.

The unit (deploy/kiosk-terminal.service) is ``Type=notify`` with
``WatchdogSec=``: systemd considers the terminal started when it sends
``READY=1`` and restarts it when ``WATCHDOG=1`` stops coming.  Send the
watchdog ping from the UI's main loop (a Kivy ``Clock`` interval), never from a
helper thread: a frozen screen must stop the pings, or the watchdog guards
nothing.

Outside systemd (no ``NOTIFY_SOCKET``) every call is a no-op returning False,
so the same code runs in a terminal window, in tests and under the service.
A failed send is logged once and never raised: the screen must not die
because of a notification.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends datagrams to ``$NOTIFY_SOCKET``; ``enabled`` is False outside systemd.

    Typical use::

        notifier = SystemdNotifier()
        ...  # window and core started
        notifier.ready()
        interval = notifier.watchdog_interval_s()
        if interval:
            Clock.schedule_interval(lambda _dt: notifier.watchdog(), interval)
        ...
        notifier.stopping()
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._address = _address(env.get("NOTIFY_SOCKET", ""))
        self._watchdog_usec = env.get("WATCHDOG_USEC", "")
        self._watchdog_pid = env.get("WATCHDOG_PID", "")
        self._sock: socket.socket | None = None
        self._failed = False

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def notify(self, *fields: str) -> bool:
        """Send 'KEY=value' fields in one datagram; True when it was sent."""
        if self._address is None:
            return False
        message = "\n".join(fields).encode("utf-8")
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message, self._address)
        except OSError as exc:
            if not self._failed:  # once: a ping every few seconds must not flood the journal
                log.warning("systemd notification failed: %s", exc.strerror or exc)
                self._failed = True
            return False
        return True

    def ready(self, status: str = "") -> bool:
        """The terminal is up (window shown, core started): systemd marks the unit started."""
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        """Still alive; call at least every ``watchdog_interval_s()`` seconds."""
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """One line shown by ``systemctl status`` (never a badge id or a message)."""
        return self.notify(f"STATUS={text}")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def watchdog_interval_s(self) -> float | None:
        """How often to ping: half of ``WatchdogSec``; None when the watchdog is off for us."""
        if self._address is None or not self._watchdog_usec.isdigit():
            return None
        if self._watchdog_pid and self._watchdog_pid != str(os.getpid()):
            return None  # the watchdog watches another process (we are a child)
        usec = int(self._watchdog_usec)
        return usec / 2 / 1_000_000 if usec > 0 else None

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _address(value: str) -> str | bytes | None:
    """A socket path, or an abstract address ('@name' -> b'\\0name'); None when unset."""
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None  # unset, or a vsock address (vsock:CID:PORT) this terminal never gets


_default: SystemdNotifier | None = None


def notifier() -> SystemdNotifier:
    """The process-wide notifier, made from the environment on first use."""
    global _default
    if _default is None:
        _default = SystemdNotifier()
    return _default
