"""The core worker: one background thread that owns the database and runs core calls in order.

The UI thread never waits on the disk.  It submits a call and a callback; the
call runs here, and the callback goes back through ``deliver`` (Kivy's Clock in
the app, a plain queue in headless mode).  If the database cannot be opened
(read-only folder, full disk), each call reports a ``StorageError`` and the next
call tries again, so the terminal recovers once site IT fixes the folder.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk.domain.models import SendRefused
from kiosk.storage import DatabaseDamaged, StorageError
from kiosk.storage import sqlite as sqlite_errors

if TYPE_CHECKING:  # the worker thread imports the storage stack, not the UI thread
    from kiosk.domain.terminal import Terminal

log = logging.getLogger(__name__)

T = TypeVar("T")
Deliver = Callable[[Callable[[], None]], None]
_STOP = object()


class CoreWorker:
    def __init__(self, open_terminal: Callable[[], Terminal], deliver: Deliver,
                 database_path: object = "of this terminal") -> None:
        self._open_terminal = open_terminal
        self._deliver = deliver
        self._database_path = database_path  # named in errors
        self._calls: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="core-worker", daemon=True)
        self._terminal: Terminal | None = None
        # Called on the worker thread after each call that succeeded: the sync
        # worker hooks in here to push what the call may have queued, at once.
        self.after_call: Callable[[], None] | None = None
        # The message cache's key (kiosk.sync.cache_key), read by ``open_terminal``, and
        # the server's sealing key that came with it (public).
        self.cache_key: bytes | None = None
        self.seal_public_key: bytes | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._calls.put(_STOP)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def submit(
        self,
        call: Callable[[Terminal], T],
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``call(terminal)`` on the worker; its result or error comes back via ``deliver``."""
        self._calls.put((call, on_result, on_error))

    def unlock(self, cache_key: bytes, seal_public_key: bytes | None = None) -> None:
        """The message cache's key came from the server (on the sync's thread): the
        database is opened again with it. Kept in this object only, in RAM."""
        self.cache_key = cache_key
        self.seal_public_key = seal_public_key
        self.reopen()

    def reopen(self, on_done: Callable[[bool], None] | None = None) -> None:
        """Open the database again, after the calls queued before this one (the message
        cache's key came: the cache opens); ``on_done(cache_locked)`` then."""
        self._calls.put((self._reopen, on_done, None))

    def _reopen(self, old: Terminal) -> bool:
        new = self._open_terminal()
        if old.integrity_checked:  # the page check is not run again for the same file
            new.note_integrity(old.integrity_problem)
        old.close()
        self._terminal = new
        log.info("database reopened (message cache %s)",
                 "locked" if new.cache_locked else "open")
        return new.cache_locked

    def _terminal_or_raise(self) -> Terminal:
        if self._terminal is None:
            self._terminal = self._open_terminal()
            log.info("database open")
        return self._terminal

    def _forget_terminal(self) -> None:
        if self._terminal is not None:
            try:
                self._terminal.close()
            except sqlite_errors.Error:
                pass
            self._terminal = None

    def _run(self) -> None:
        while True:
            item = self._calls.get()
            if item is _STOP:
                break
            call, on_result, on_error = item
            try:
                try:
                    result = call(self._terminal_or_raise())
                except sqlite_errors.Error as exc:
                    # The disk went read-only or full under us: drop the connection
                    # so the next call reopens, and say it in the storage's words.
                    self._forget_terminal()
                    # exactly DatabaseError, "malformed": the file's fault
                    if type(exc) in sqlite_errors.PLAIN_DATABASE_ERRORS:
                        raise DatabaseDamaged(self._database_path, str(exc)) from exc
                    raise StorageError(f"database write failed: {exc}") from exc
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
                if isinstance(exc, SendRefused):  # a rule, not a fault: no traceback
                    log.info("message refused: %s", exc.code)
                elif not isinstance(exc, StorageError):
                    log.exception("core call failed")
                if on_error is not None:
                    self._deliver(partial(on_error, exc))
                continue
            if self.after_call is not None:
                self.after_call()
            if on_result is not None:
                self._deliver(partial(on_result, result))
        if self._terminal is not None:
            self._terminal.close()
