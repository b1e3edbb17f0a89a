"""The ``bundle`` marker: tests that build the PyInstaller bundle (kiosk.spec) once per session.

They run in the normal ``pytest`` run (CI builds the bundle); ``pytest -m "not bundle"``
leaves them out locally.  The build takes about half a minute on two cores.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bundle: builds the one-folder PyInstaller bundle (kiosk.spec) and runs it"
    )
