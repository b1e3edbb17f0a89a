"""Local SQLite storage: opening, migrations and the transaction helper."""

from kiosk.storage.database import StorageError, open_database, transaction

__all__ = ["StorageError", "open_database", "transaction"]
