"""Writers of this process that must not wait behind a long background writer.

SQLite has no queue for its write lock: a connection that finds the database locked
sleeps and tries again (1, 2, 5 … 100 ms apart), and a writer that commits and begins
again at once takes the lock back before the sleeper wakes. A terminal catching up on a
hundred pulled pages does exactly that, and a punch on the core worker could wait for
seconds behind it (``bench/first_sync.py`` measured 4.4 s at worst).

So the sync puller writes through ``background_transaction``: before each one it lets
every foreground writer of the process (``kiosk.storage.transaction``: the core worker,
the pusher) go first, and a batch of pages ends early when one is waiting
(``foreground_waiting``). A foreground writer then waits at most for the background
transaction already running.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# A foreground writer that never finishes (a bug) must not stop the sync for ever.
YIELD_LIMIT_S = 5.0

_turns = threading.Condition()
_foreground = 0  # foreground writers waiting for the lock or holding it


@contextmanager
def foreground() -> Iterator[None]:
    """Around a foreground write transaction, from before its BEGIN to after its end."""
    global _foreground
    with _turns:
        _foreground += 1
    try:
        yield
    finally:
        with _turns:
            _foreground -= 1
            if _foreground == 0:
                _turns.notify_all()


def foreground_waiting() -> bool:
    return _foreground > 0


def yield_to_foreground() -> None:
    """Wait until no foreground writer waits or writes (``YIELD_LIMIT_S`` at most)."""
    with _turns:
        _turns.wait_for(lambda: _foreground == 0, timeout=YIELD_LIMIT_S)
