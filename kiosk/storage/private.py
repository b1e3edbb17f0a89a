"""The data folder is private to the user the terminal runs as: folder 0700, files 0600.

Under systemd the unit's ``UMask`` already does this; a manual install or the demo runs
with the shell's umask (often 022), which left the database and the enrollment readable
by every local user. So the modes are set here, whoever starts the terminal, and files
made by an older version are tightened at the next start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(folder: Path | str) -> Path:
    """Create ``folder`` (and its parents) if needed; make it 0700 and its files 0600."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    tighten(folder)
    return folder


def tighten(folder: Path) -> None:
    """0700 on ``folder``, 0600 on each file directly in it, when this user owns them.
    Subfolders are left alone: the demo keeps its embedded server's folder beside the
    terminal's, and each tightens its own."""
    _chmod_owned(folder, FOLDER_MODE)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if not entry.is_dir(follow_symlinks=False) and not entry.is_symlink():
                _chmod_owned(Path(entry.path), FILE_MODE)
        except OSError:
            continue


def private_file(path: Path | str) -> Path:
    """Create ``path`` empty with mode 0600 if missing (so that SQLite, which gives its
    -wal and -shm files the database's mode, never makes a readable one); 0600 if present."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    except OSError:
        return path  # the caller's open reports the folder's fault with its own words
    os.close(fd)
    _chmod_owned(path, FILE_MODE)
    return path


def _chmod_owned(path: Path, mode: int) -> None:
    try:
        st = os.stat(path, follow_symlinks=False)
        if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # not ours, or gone: kiosk doctor reports a folder it cannot use
