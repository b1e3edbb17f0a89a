"""Entry point for ``python -m badge_reader``."""

from badge_reader.cli import main

raise SystemExit(main())
