"""Fetching the photos and rendered drawings that pulled messages name.

Runs on the pull thread after a pull's transaction: a message and the directory are
on screen at once, its picture follows. Each download is checked (sha256, size,
image type: ``ServerClient.get_attachment``) and stored in its own short transaction,
marked as uploaded so the pusher never sends it back. A failed download is left for
a later pull, after a growing pause per attachment (a file the server lost must not
cost a request at every long-poll).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

import sqlite_utils

from contract.backoff import exponential_delay
from kiosk.domain.attachments import AttachmentStore
from kiosk.storage import transaction
from kiosk.sync.apply import missing_attachments
from kiosk.sync.client import ServerClient
from kiosk.sync.errors import AttachmentInvalid, RequestRefused, ServerUnavailable

log = logging.getLogger(__name__)

# Per attachment: first retry after RETRY_MIN_S, doubling up to RETRY_MAX_S.
RETRY_MIN_S = 15.0
RETRY_MAX_S = 3600.0
# Time spent downloading per pull; with files still to fetch the next pull does not
# wait, so new messages keep coming while a backlog of photos arrives.
ROUND_BUDGET_S = 10.0
_SHA256 = re.compile(r"[0-9a-f]{64}")  # it goes into a URL path: nothing else


class AttachmentDownloads:
    """The pull thread's download state: which attachments failed and when to retry."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._failures: dict[str, tuple[int, float]] = {}  # sha256 -> (count, retry at)

    def run(self, db: sqlite_utils.Database, client: ServerClient,
            stop: threading.Event) -> tuple[int, bool]:
        """Download what is missing and due; returns (stored, more are due now)."""
        started = self._now()
        stored = 0
        due = [s for s in missing_attachments(db.conn) if _SHA256.fullmatch(s) and self._due(s)]
        for sha256 in due:
            if stop.is_set():
                return stored, False
            if self._now() - started > ROUND_BUDGET_S:
                return stored, True
            try:
                data, content_type = client.get_attachment(sha256)
            except ServerUnavailable:
                return stored, False  # the next pull reports the network; retry then
            except (AttachmentInvalid, RequestRefused) as exc:
                self._failed(sha256, exc)
                continue
            with transaction(db) as conn:
                AttachmentStore.put(conn, data, content_type, uploaded=True)
            self._failures.pop(sha256, None)
            stored += 1
        return stored, False

    def _due(self, sha256: str) -> bool:
        failure = self._failures.get(sha256)
        return failure is None or failure[1] <= self._now()

    def _failed(self, sha256: str, exc: Exception) -> None:
        count = self._failures.get(sha256, (0, 0.0))[0] + 1
        pause = exponential_delay(count, RETRY_MIN_S, RETRY_MAX_S)
        self._failures[sha256] = count, self._now() + pause
        reason = exc.code if isinstance(exc, RequestRefused) else str(exc)
        log.warning("attachment %s… not downloaded (%s); retry in %.0f s",
                    sha256[:12], reason, pause)
