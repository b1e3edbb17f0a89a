"""``kiosk admin-pin``: turn an admin PIN into the hash that goes into kiosk.toml.

Typed twice without echo at a terminal; read from the first line of standard
input otherwise (``echo 4821 | kiosk admin-pin``, for provisioning scripts).
Only the hash is printed on standard output, so ``$(kiosk admin-pin)`` works;
the hint on where to paste it goes to standard error.  The PIN itself is
never printed nor logged.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from contract.pin import MAX_DIGITS, MIN_DIGITS, PinError, check_format, hash_pin

EXIT_OK, EXIT_FAILURE = 0, 1


def admin_pin_command(stdin: TextIO | None = None, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    stdin, out, err = stdin or sys.stdin, out or sys.stdout, err or sys.stderr
    if stdin.isatty():
        try:
            pin = getpass.getpass(f"Admin PIN ({MIN_DIGITS} to {MAX_DIGITS} digits): ")
            again = getpass.getpass("The same PIN again: ")
        except (EOFError, KeyboardInterrupt):
            err.write("\nkiosk admin-pin: no PIN given\n")
            return EXIT_FAILURE
        if pin != again:
            err.write("kiosk admin-pin: the two PINs differ; nothing was made\n")
            return EXIT_FAILURE
    else:
        pin = stdin.readline().strip()
    try:
        check_format(pin)
    except PinError as exc:
        err.write(f"kiosk admin-pin: {exc}\n")
        return EXIT_FAILURE
    digest = hash_pin(pin)
    out.write(digest + "\n")
    err.write("Paste it into the terminal's kiosk.toml, with the admin badges, then restart "
              "the terminal:\n"
              f'  [admin]\n  badges = ["BADGE ID"]\n  pin_hash = "{digest}"\n')
    return EXIT_OK
