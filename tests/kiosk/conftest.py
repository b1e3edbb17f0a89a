from pathlib import Path

import pytest

from kiosk.demo import seed_demo
from kiosk.terminal import Terminal


@pytest.fixture
def terminal(tmp_path: Path):
    """A real terminal database file, seeded with the demo company."""
    term = Terminal.open(tmp_path / "kiosk.sqlite3")
    seed_demo(term.db)
    yield term
    term.close()
