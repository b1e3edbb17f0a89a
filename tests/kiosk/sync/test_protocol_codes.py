"""The terminal reads the protocol's codes, version and header from ``contract``, as
the server does, and never imports the server itself."""

import subprocess
import sys
from pathlib import Path

from contract import error_codes
from kiosk.sync import protocol


def test_every_code_the_terminal_sorts_is_a_protocol_code():
    sorted_codes = (protocol.LATER_CODES | protocol.SPLIT_CODES | protocol.UPLOAD_FINAL_CODES
                    | protocol.NOT_ENROLLED_CODES)
    assert sorted_codes <= error_codes.REQUEST_CODES


def test_the_terminal_does_not_import_the_server():
    code = ("import sys, kiosk.sync.client, kiosk.sync.worker, kiosk.app.runtime; "
            "print(sorted(m for m in sys.modules if m == 'server' or m.startswith('server.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[3]).stdout
    assert out.strip() == "[]"
