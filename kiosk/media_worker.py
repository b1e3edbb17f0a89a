"""The media worker: a second background thread for CPU work that needs no database.

Staging a message's photo or drawing (``kiosk.message_attachments.stage``: render a
PNG, or flatten strokes onto a photo and re-encode the JPEG) takes 0.3 s on a PC and
seconds on a Raspberry Pi.  On the core worker, a badge read would wait behind it;
here the core stays free and only the quick transaction goes there afterwards.

Like ``CoreWorker``: calls run one at a time, in order, and each result or error goes
back through ``deliver`` (the UI thread).  The thread starts with the first call (most
sessions send no picture) and is a daemon: ``stop()`` lets a call finish, if it can.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from kiosk.models import SendRefused
from kiosk.worker import Deliver

log = logging.getLogger(__name__)

T = TypeVar("T")
_STOP = object()


class MediaWorker:
    def __init__(self, deliver: Deliver, name: str = "media-worker") -> None:
        self._deliver = deliver
        self._name = name
        self._calls: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(
        self,
        call: Callable[[], T],
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``call()`` on the media thread; its result or error comes back via ``deliver``."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name,
                                                daemon=True)
                self._thread.start()
        self._calls.put((call, on_result, on_error))

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._calls.put(_STOP)
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._calls.get()
            if item is _STOP:
                break
            call, on_result, on_error = item
            try:
                result = call()
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
                if isinstance(exc, SendRefused):  # a rule, not a fault: no traceback
                    log.info("attachment refused: %s", exc.code)
                else:  # a broken frame or picture: the caller says so; keep working
                    log.warning("%s: call failed (%s)", self._name, type(exc).__name__,
                                exc_info=True)
                if on_error is not None:
                    self._deliver(partial(on_error, exc))
                continue
            if on_result is not None:
                self._deliver(partial(on_result, result))
