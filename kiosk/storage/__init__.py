"""Local SQLite storage: opening, migrations and the transaction helper.

``open_database`` and ``transaction`` load sqlite-utils on first use (PEP 562),
so that the screens can import ``StorageError`` without paying for it at start;
the core worker thread opens the database after the first frame.
"""

from typing import Any

from kiosk.storage.errors import DAMAGED_FIX, DatabaseDamaged, StorageError

__all__ = ["DAMAGED_FIX", "DatabaseDamaged", "StorageError", "background_transaction",
           "integrity_problem", "open_database", "transaction"]


def __getattr__(name: str) -> Any:
    if name in ("open_database", "transaction", "background_transaction",
                "integrity_problem"):
        from kiosk.storage import database

        return getattr(database, name)
    raise AttributeError(f"module 'kiosk.storage' has no attribute {name!r}")
