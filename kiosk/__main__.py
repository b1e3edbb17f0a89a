"""``python -m kiosk``: the same commands as the ``kiosk`` console script."""

import sys

from kiosk.cli import main

if __name__ == "__main__":  # a child process of multiprocessing imports this module again
    sys.exit(main())
