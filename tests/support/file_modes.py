"""What a thief with the data folder can read as another user: the folder's modes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def loose_umask(mask: int = 0o022) -> Iterator[None]:
    """Run with the umask of a typical shell, as a manual install or the demo would."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def modes_not_private(folder: Path) -> list[str]:
    """Each entry of ``folder`` (the folder itself included) whose mode is not 0700 for
    the folder and 0600 for a file, as "name 0o644"; empty when all are private."""
    found = []
    folder_mode = stat.S_IMODE(folder.stat().st_mode)
    if folder_mode != 0o700:
        found.append(f". {oct(folder_mode)}")
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            continue
        mode = stat.S_IMODE(entry.lstat().st_mode)
        if mode != 0o600:
            found.append(f"{entry.name} {oct(mode)}")
    return found
