"""The media worker: a second background thread for CPU work that needs no database.

Staging a message's photo or drawing (``kiosk.domain.message_attachments.stage``: render a
PNG, or flatten strokes onto a photo and re-encode the JPEG) takes 0.3 s on a PC and
seconds on a Raspberry Pi.  On the core worker, a badge read would wait behind it;
here the core stays free and only the quick transaction goes there afterwards.

Like ``CoreWorker``: calls run one at a time, in order, and each result or error goes
back through ``deliver`` (the UI thread). It is a one-thread ``ThreadPoolExecutor`` with
a done-callback; the thread starts with the first call (most sessions send no picture),
and ``stop()`` drops what has not started and lets a running call finish, if it can.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from typing import TypeVar

from kiosk.app.worker import Deliver
from kiosk.domain.models import SendRefused

log = logging.getLogger(__name__)

T = TypeVar("T")


class MediaWorker:
    """A ``ThreadPoolExecutor`` of one thread, whose results go back through ``deliver``
    from a done-callback (as ``kiosk.ui.widgets.pictures`` does)."""

    def __init__(self, deliver: Deliver, name: str = "media-worker") -> None:
        self._deliver = deliver
        self._name = name
        self._executor: ThreadPoolExecutor | None = None
        self._last: Future[object] | None = None  # the latest call, for stop()
        self._lock = threading.Lock()

    def submit(
        self,
        call: Callable[[], T],
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``call()`` on the media thread; its result or error comes back via ``deliver``."""
        with self._lock:
            if self._executor is None:  # the thread starts with the first call
                self._executor = ThreadPoolExecutor(max_workers=1,
                                                    thread_name_prefix=self._name)
            future = self._executor.submit(call)
            self._last = future
        future.add_done_callback(partial(self._done, on_result, on_error))

    def stop(self, timeout: float = 5.0) -> None:
        """Drop the calls not started, and give the running one ``timeout`` seconds to
        finish (its thread is left to end on its own after that)."""
        with self._lock:
            executor, self._executor = self._executor, None
            last, self._last = self._last, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        if last is not None:
            wait([last], timeout)

    def _done(self, on_result: Callable[[T], None] | None,
              on_error: Callable[[Exception], None] | None, future: Future[T]) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            if on_result is not None:
                self._deliver(partial(on_result, future.result()))
            return
        if isinstance(exc, SendRefused):  # a rule, not a fault: no traceback
            log.info("attachment refused: %s", exc.code)
        else:  # a broken frame or picture: the caller says so; keep working
            log.warning("%s: call failed (%s)", self._name, type(exc).__name__,
                        exc_info=exc)
        if on_error is not None and isinstance(exc, Exception):
            self._deliver(partial(on_error, exc))
