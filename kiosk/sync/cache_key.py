"""The message cache's key, fetched from the server after boot and kept in RAM only.

It is never written to disk, never logged, never shown by ``kiosk doctor``: without the
server's answer (unreachable, or the terminal revoked) the cache stays locked, and the
terminal punches from the hashed badges alone (``kiosk.storage.cache``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.sync.client import ServerClient


class CacheKeys:
    """Holds the key once fetched, for every thread of the terminal; ``on_key(key)`` runs
    once, on the thread that fetched it (the runtime reopens the core's database)."""

    def __init__(self, on_key: Callable[[bytes], None] = lambda key: None) -> None:
        self._on_key = on_key
        self._lock = threading.Lock()
        self._key: bytes | None = None
        # The server's sealing key (public), given with the cache key; None from an
        # older server (messages then go in clear, as before).
        self.seal_public_key: bytes | None = None

    @property
    def key(self) -> bytes | None:
        return self._key

    def fetch(self, client: ServerClient) -> bytes:
        """The key, asking the server the first time (raises what the client raises)."""
        with self._lock:
            if self._key is not None:
                return self._key
            key, self.seal_public_key = client.cache_key_answer()
            self._key = key
        self._on_key(key)
        return key

    def __repr__(self) -> str:  # never the key itself, whatever prints this object
        return f"CacheKeys({'held' if self._key is not None else 'none'})"
