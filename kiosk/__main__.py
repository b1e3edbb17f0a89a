"""``python -m kiosk``: the same commands as the ``kiosk`` console script."""

import sys

from kiosk.cli import main

sys.exit(main())
