"""Real SQLite files damaged the way a failing SD card damages them: garbage over whole
pages in the middle of the file, the header and the schema pages intact (so that the
file still opens and only reading those pages fails)."""

from __future__ import annotations

import random
from pathlib import Path

from kiosk.domain.terminal import Terminal
from kiosk.storage import transaction
from kiosk.storage.outbox import Outbox


def fill_outbox(path: Path, employee_id: int = 1, punches: int = 5, filler: int = 3000) -> None:
    """``punches`` real punches (through the core), then ``filler`` more outbox rows in one
    transaction: enough pages for a middle to damage. Closing the last connection folds
    the WAL back into the file."""
    term = Terminal.open(path)
    try:
        for _ in range(punches):
            term.punches.record(employee_id)
        with transaction(term.db) as conn:
            outbox = Outbox(term.db)
            for n in range(filler):
                outbox.enqueue(conn, "receipt", {"message_id": f"m{n}", "employee_id": 1,
                                                 "read_at": "2026-01-01T08:00:00+01:00"})
    finally:
        term.close()


def damage_middle_pages(path: Path, pages: int = 4, seed: int = 7) -> None:
    """Overwrite ``pages`` whole pages in the middle of the file with random bytes."""
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big") or 65536  # 1 means 65536
    middle = len(data) // page_size // 2
    garbage = random.Random(seed).randbytes(pages * page_size)
    with path.open("r+b") as file:
        file.seek(middle * page_size)
        file.write(garbage)
