"""The ``bundle`` marker: tests that build the PyInstaller bundle (kiosk.spec) once per session.

They run in the normal ``pytest`` run (CI builds the bundle); ``pytest -m "not bundle"``
leaves them out locally.  The build takes about half a minute on two cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.bundle_rig import Build, build_bundle, make_terminal_config


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bundle: builds the one-folder PyInstaller bundle (kiosk.spec) and runs it"
    )


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """``pyinstaller --noconfirm --clean kiosk.spec`` into a temporary folder, once."""
    return build_bundle(tmp_path_factory)


@pytest.fixture
def terminal_config() -> Iterator[Path]:
    """A config with a virtual reader and a data folder of its own (a short path: the
    virtual reader's control socket lives there)."""
    yield from make_terminal_config()
