"""Keep a running terminal on the current site settings, without a restart.

The sync worker stores the server's ``site_settings`` change in the database
(``kiosk.sync.apply``); this follower has the core worker look at that one row about
once a second and, only when the merged settings differ from what the front end
has, hands the new ``SiteSettings`` to the front end's thread through
``deliver``.  So the UI thread never reads the database, and a terminal whose
settings did not change pays one indexed read a second on the worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING

from kiosk.app.worker import CoreWorker, Deliver
from kiosk.settings.site_settings import SiteSettings

if TYPE_CHECKING:
    from kiosk.domain.terminal import Terminal

log = logging.getLogger(__name__)

CHECK_EVERY_S = 1.0
RETRY_AFTER_FAILURE_S = 30.0  # a database that cannot be read is reported elsewhere
# Logged by name only: badge ids and PIN hashes stay out of the logs, lists stay short.
_NAME_ONLY = {"admin_badges", "admin_pin_hash", "quick_replies"}


class SiteSettingsFollower:
    def __init__(
        self,
        base: SiteSettings,
        worker: CoreWorker,
        deliver: Deliver,
        apply: Callable[[SiteSettings], None],
    ) -> None:
        self.base = base  # the config's values; the server's are laid over them
        self.current = base  # what the front end runs with (front end's thread only)
        self._worker = worker
        self._deliver = deliver
        self._apply = apply
        self._next_check = 0.0
        self._in_flight = False

    def check_if_due(self, now: float) -> None:
        """On the front end's thread: ask the core worker to look, unless it is already."""
        if now < self._next_check or self._in_flight:
            return
        self._next_check = now + CHECK_EVERY_S
        self._in_flight = True
        known, base = self.current, self.base

        def look(terminal: Terminal) -> None:
            try:
                fresh = terminal.refresh_settings(base)
            finally:
                self._in_flight = False  # a bool store; read again on the next tick
            if fresh != known:
                self._deliver(lambda: self.received(fresh))

        def failed(_exc: Exception) -> None:  # the database could not even be opened
            self._in_flight = False
            self._next_check = now + RETRY_AFTER_FAILURE_S

        self._worker.submit(look, on_error=failed)

    def received(self, settings: SiteSettings) -> None:
        """On the front end's thread: apply ``settings`` if they are new."""
        if settings == self.current:
            return
        changed = [f.name for f in fields(SiteSettings)
                   if getattr(settings, f.name) != getattr(self.current, f.name)]
        self.current = settings
        log.info("site settings applied: %s", ", ".join(
            name if name in _NAME_ONLY else f"{name}={getattr(settings, name)}"
            for name in changed))
        self._apply(settings)
