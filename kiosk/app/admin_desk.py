"""The station's admin side: the PIN asked after an admin badge, the lockout, the report.

Runs on the front end's thread, like the station that owns it; PIN checks and
the diagnostics report go to the core worker.  Results that come back after the
admin session ended are dropped, so nothing of it reaches a later screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kiosk.app.worker import CoreWorker
from kiosk.domain.admin import AdminGate, AdminPinState, AdminSession, PinCheck
from kiosk.domain.models import BadgeOutcome


class AdminView(Protocol):
    def show_admin_pin(self, state: AdminPinState) -> None: ...

    def show_admin(self) -> None: ...


class AdminDesk:
    """At most one ``AdminSession``; the ``AdminGate`` lives as long as the process."""

    def __init__(
        self,
        worker: CoreWorker,
        view: AdminView,
        timeout_s: Callable[[], float],
        now: Callable[[], float],
        on_failure: Callable[[Exception], None],
    ) -> None:
        self._worker = worker
        self._view = view
        self._timeout_s = timeout_s
        self._now = now
        self._on_failure = on_failure
        self.gate = AdminGate()
        self.session: AdminSession | None = None
        # Set by the runtime: gathers the admin screen's report off this thread and
        # hands it to the callback (on this thread), even when the database is broken.
        self.diagnostics: Callable[[Callable[[Any], None]], None] | None = None

    def open(self, outcome: BadgeOutcome) -> None:
        """An admin badge was read: ask for the PIN (or say that none is set)."""
        self.session = AdminSession(self._now(), self._timeout_s(), outcome.admin_pin_set)
        self._view.show_admin_pin(self.pin_state())

    def pin_state(self, wrong: bool = False) -> AdminPinState:
        session = self.session
        return AdminPinState(
            pin_set=session is not None and session.pin_set, wrong=wrong,
            tries_left=self.gate.tries_left(), locked_for_s=self.gate.locked_for(self._now()),
        )

    def enter_pin(self, pin: str) -> None:
        """Check ``pin`` on the core worker; the view then shows the admin screen, or the
        PIN screen again with the verdict."""
        session = self.session
        if session is None or session.unlocked or session.checking:
            return
        session.touch(self._now())
        if self.gate.locked_for(self._now()) > 0:
            self._view.show_admin_pin(self.pin_state())
            return
        session.checking = True

        def done(verdict: PinCheck) -> None:
            session.checking = False
            if self.session is not session:
                return  # the admin walked away (or badged again) meanwhile
            if verdict is PinCheck.NOT_SET:
                session.pin_set = False
                self._view.show_admin_pin(self.pin_state())
                return
            if verdict is PinCheck.LOCKED:
                self.gate.lock(self._now())
                self._view.show_admin_pin(self.pin_state(wrong=True))
                return
            self.gate.record(verdict is PinCheck.OK, self._now())
            if verdict is PinCheck.OK:
                session.unlocked = True
                session.touch(self._now())
                self._view.show_admin()
            else:
                self._view.show_admin_pin(self.pin_state(wrong=True))

        def failed(exc: Exception) -> None:
            session.checking = False
            self._on_failure(exc)

        self._worker.submit(lambda t: t.check_admin_pin(pin), done, failed)

    def load_report(self, on_result: Callable[[Any], None]) -> None:
        """The admin screen's report (``kiosk.doctor.diagnostics.AdminReport``); only while
        unlocked, and dropped if the session ended before it came back."""
        session = self.session
        gather = self.diagnostics
        if session is None or not session.unlocked or gather is None:
            return

        def done(report: Any) -> None:
            if self.session is session:
                on_result(report)

        gather(done)

    @property
    def unlocked(self) -> bool:
        return self.session is not None and self.session.unlocked

    def touch(self) -> None:
        if self.session is not None:
            self.session.touch(self._now())

    def expired(self) -> bool:
        return self.session is not None and self.session.expired(self._now())

    def close(self) -> bool:
        """End the admin session; True if there was one."""
        had = self.session is not None
        self.session = None
        return had
