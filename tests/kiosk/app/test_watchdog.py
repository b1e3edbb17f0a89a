"""sd_notify over a real UNIX datagram socket, as systemd's NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app.watchdog import SystemdNotifier


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify.sock")
    sock.bind(path)
    sock.settimeout(2.0)
    yield sock, path
    sock.close()


def test_ready_sends_ready_with_status(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    assert SystemdNotifier({"NOTIFY_SOCKET": path}).ready("terminal up")
    assert sock.recv(4096) == b"READY=1\nSTATUS=terminal up"


def test_watchdog_sends_a_ping(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    notifier = SystemdNotifier({"NOTIFY_SOCKET": path})
    assert notifier.watchdog() and notifier.watchdog()
    assert [sock.recv(64), sock.recv(64)] == [b"WATCHDOG=1", b"WATCHDOG=1"]
    notifier.close()


def test_stopping_is_sent(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    assert SystemdNotifier({"NOTIFY_SOCKET": path}).stopping()
    assert sock.recv(64) == b"STOPPING=1"


def test_without_notify_socket_every_call_is_a_no_op() -> None:
    notifier = SystemdNotifier({})
    assert not notifier.enabled
    assert not notifier.ready() and not notifier.watchdog() and not notifier.stopping()
    assert notifier.watchdog_interval_s() is None


def test_abstract_socket_address_is_supported() -> None:
    name = f"kiosk-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(2.0)
        assert SystemdNotifier({"NOTIFY_SOCKET": f"@{name}"}).ready()
        assert sock.recv(64) == b"READY=1"


def test_watchdog_interval_is_half_of_watchdog_usec(listener: tuple[socket.socket, str]) -> None:
    _, path = listener
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}
    assert SystemdNotifier(env).watchdog_interval_s() == 15.0


def test_watchdog_meant_for_another_process_is_off(listener: tuple[socket.socket, str]) -> None:
    _, path = listener
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}
    assert SystemdNotifier(env).watchdog_interval_s() is None


def test_send_to_a_vanished_socket_returns_false(tmp_path: Path) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    assert notifier.enabled
    assert not notifier.watchdog()
