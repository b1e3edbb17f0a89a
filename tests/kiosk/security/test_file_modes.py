"""The data folder is 0700 and every file in it 0600, whatever the umask of who starts it."""

import os

from kiosk.domain.terminal import Terminal
from kiosk.sync.credentials import Enrollment, save_enrollment
from tests.support.file_modes import loose_umask, modes_not_private


def _punch_once(path):
    terminal = Terminal.open(path)
    try:
        terminal.punches.record(7)  # makes the -wal and -shm files
    finally:
        terminal.close()


def test_a_new_data_folder_is_private_under_a_shell_umask(tmp_path):
    data = tmp_path / "data"
    with loose_umask():
        terminal = Terminal.open(data / "kiosk.sqlite3")
        terminal.punches.record(7)
        save_enrollment(data, Enrollment("http://127.0.0.1:1", "t" * 40, 1, {}))
        assert (data / "kiosk.sqlite3-wal").exists()
        assert modes_not_private(data) == []
        terminal.close()


def test_an_old_readable_data_folder_is_tightened_at_the_next_start(tmp_path):
    data = tmp_path / "data"
    with loose_umask():
        _punch_once(data / "kiosk.sqlite3")
    os.chmod(data, 0o755)
    for name in os.listdir(data):
        os.chmod(data / name, 0o644)
    (data / "enrollment.json").write_text("{}")
    os.chmod(data / "enrollment.json", 0o644)
    with loose_umask():
        _punch_once(data / "kiosk.sqlite3")
    assert modes_not_private(data) == []
