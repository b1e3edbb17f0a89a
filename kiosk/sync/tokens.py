"""Token rotation: the terminal trades its token for a fresh one every day.

The server keeps the old token valid for a grace period (7 days by default) after a
rotation, so the order here is what keeps a terminal enrolled whatever happens:
ask for the new token, save it (atomically, fsynced, mode 0600), and only then use
it. A crash or a cut answer at any point leaves the terminal with a token the server
still takes, and the next try, an hour later, rotates again. An offline terminal
does not rotate, and its token does not expire: only a replaced token does.

The token is held here, not copied into each HTTP client: the push and pull threads
each have their own client, and both pick up a new token at their next call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from kiosk.sync.credentials import Enrollment, save_enrollment
from kiosk.sync.errors import NotEnrolled, SyncError, TerminalRevoked

log = logging.getLogger(__name__)

ROTATE_EVERY = timedelta(days=1)
RETRY_AFTER_FAILURE = timedelta(hours=1)


class Rotator(Protocol):
    def rotate_token(self) -> str: ...

    @property
    def signs(self) -> bool: ...


def _parse(when: str | None) -> datetime | None:
    try:
        value = datetime.fromisoformat(when) if when else None
    except ValueError:
        return None
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


class TokenKeeper:
    """The terminal's current token, and when to rotate it (thread-safe)."""

    def __init__(self, data_dir: Path, enrollment: Enrollment,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._data_dir = Path(data_dir)
        self._enrollment = enrollment
        self._clock = clock
        self._lock = threading.Lock()
        issued = _parse(enrollment.token_issued_at)
        # A token of unknown age (enrolled before rotation existed) is rotated soon. A
        # terminal enrolled before signing keys existed registers its key at its next
        # rotation (the client sends it), at most a day from now.
        self._next_try = issued + ROTATE_EVERY if issued else clock()

    def token(self) -> str:
        with self._lock:
            return self._enrollment.token

    def due(self) -> bool:
        return self._clock() >= self._next_try

    def rotate(self, client: Rotator) -> bool:
        """Rotate now; True when the new token is saved and in use. A failure that a
        later try may fix is logged and tried again in an hour; a revoked or unknown
        terminal is raised, for the sync worker to stop."""
        now = self._clock()
        self._next_try = now + RETRY_AFTER_FAILURE
        try:
            token = client.rotate_token()
        except (TerminalRevoked, NotEnrolled):
            raise
        except SyncError as exc:
            log.warning("token rotation failed (%s); trying again later", type(exc).__name__)
            return False
        rotated = replace(self._enrollment, token=token, token_issued_at=now.isoformat(),
                          bound=self._enrollment.bound or client.signs)
        try:
            save_enrollment(self._data_dir, rotated)
        except OSError as exc:
            # The old token works for days yet: keep it rather than a token we could lose.
            log.error("cannot save the new token (%s); keeping the current one",
                      exc.strerror or type(exc).__name__)
            return False
        with self._lock:
            self._enrollment = rotated
        self._next_try = now + ROTATE_EVERY
        log.info("token rotated")
        return True
