"""The storage's one error type, importable without loading SQLite helpers."""


class StorageError(RuntimeError):
    """The database cannot be opened or written; the message says why and where."""
