"""Messages put into a running terminal's cache for one test, as a pull would store
them, through a connection of the test's own; taken out again afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any


@contextlib.contextmanager
def cached_messages(app: Any, messages: Sequence[Any]) -> Iterator[None]:
    """``messages`` (``IncomingMessage``) in the cache of ``app``'s terminal while the
    block runs; the session is ended and they are deleted after it."""
    from kiosk.domain.messages import MessageStore
    from kiosk.storage import open_database, transaction

    db = open_database(app.shell.runtime.config.database_path)  # a second connection
    ids = [m.id for m in messages]
    marks = ", ".join("?" * len(ids))
    try:
        with transaction(db) as conn:
            MessageStore.put(conn, messages)
        yield
    finally:
        app.router.done()
        with transaction(db) as conn:
            conn.execute(f"DELETE FROM message_recipients WHERE message_id IN ({marks})", ids)
            conn.execute(f"DELETE FROM messages WHERE id IN ({marks})", ids)
        db.conn.close()
