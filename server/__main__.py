"""`python -m server` (and the `kiosk-server` script): the admin command line."""

import sys

from server.cli import main

if __name__ == "__main__":
    sys.exit(main())
