"""The terminal's copy of the protocol's error codes is the server's (it may not import it)."""

from server.protocol import errors as server_codes
from sync import protocol


def test_the_request_codes_are_the_servers():
    assert protocol.REQUEST_CODES == server_codes.REQUEST_CODES


def test_the_item_codes_are_the_servers():
    assert protocol.ITEM_CODES == server_codes.ITEM_CODES


def test_the_header_and_version_are_the_servers():
    from server.protocol.common import PROTOCOL_HEADER, PROTOCOL_VERSION

    assert (protocol.PROTOCOL_HEADER, protocol.PROTOCOL_VERSION) == (
        PROTOCOL_HEADER, PROTOCOL_VERSION)


def test_the_terminal_does_not_import_the_server():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, sync.client, sync.worker, kiosk.runtime; "
            "print(sorted(m for m in sys.modules if m == 'server' or m.startswith('server.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "[]"
