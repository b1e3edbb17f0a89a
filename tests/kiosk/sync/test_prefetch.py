"""The page fetched ahead while the puller stores one (kiosk.sync.prefetch)."""

from __future__ import annotations

import os
import subprocess
import sys

# A server that accepts the connection and never answers; the child asks it for the
# next page ahead, then its main thread ends.
CHILD = """
import socket, sys
from kiosk.sync.client import ServerClient
from kiosk.sync.prefetch import PagePrefetch

silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen()
client = ServerClient(f"http://127.0.0.1:{silent.getsockname()[1]}", "token")
PagePrefetch(client).start("cursor-1")
print("asked", flush=True)
"""


def test_a_page_asked_for_ahead_does_not_hold_the_terminals_exit():
    # The request's read timeout is 15 s; the process must not wait for it.
    child = subprocess.run([sys.executable, "-c", CHILD], cwd=os.getcwd(),
                           capture_output=True, text=True, timeout=10)
    assert child.returncode == 0 and child.stdout.strip() == "asked", child.stderr[-500:]
