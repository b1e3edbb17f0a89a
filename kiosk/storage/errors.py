"""The storage's error types, importable without loading SQLite helpers."""

# What site IT should do with a damaged database. Never automatic: its outbox may hold
# punches not yet sent, which only a person may decide to give up.
DAMAGED_FIX = (
    "do not delete it: its outbox may hold punches not yet sent. Stop the terminal ("
    "systemctl stop kiosk-terminal) and keep a copy of the whole data folder; in the "
    "folder, save what can be read: sqlite3 kiosk.sqlite3 .dump > kiosk-dump.sql; move "
    "kiosk.sqlite3 and its -wal and -shm files aside; start the terminal once and stop it "
    "(it makes a new database); bring the waiting items back: grep -E '^INSERT INTO "
    "(outbox|sealed_uploads) ' kiosk-dump.sql | sqlite3 kiosk.sqlite3; start it (the "
    "server ignores items it already has and sends the directory and messages again). "
    "Check the SD card or disk (dmesg): a damaged file often means a failing one"
)


class StorageError(RuntimeError):
    """The database cannot be opened or written; the message says why and where."""


class DatabaseDamaged(StorageError):
    """SQLite finds the file damaged (``PRAGMA quick_check``, or a page it cannot read).
    The message names the file and what SQLite found; ``report`` adds the fix (long: for
    site IT's screens and kiosk doctor, not for a worker's notice)."""

    fix = DAMAGED_FIX

    def __init__(self, path: object, finding: str) -> None:
        super().__init__(f"the database {path} is damaged ({finding}); "
                         "kiosk doctor says what to do")
        self.finding = finding

    @property
    def report(self) -> str:
        return f"{self}. Fix: {self.fix}"
