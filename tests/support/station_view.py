"""The recording station view: a real ``StationView`` that writes down what it was asked
to show, in order, and on which thread, for tests of the station and the runtime."""

from __future__ import annotations

import threading
from typing import Any

from kiosk.domain.admin import AdminPinState
from kiosk.domain.models import BadgeOutcome
from kiosk.domain.session import Session


class RecordingView:
    """``shown`` holds (kind, value) pairs: ("welcome", outcome), ("notice", outcome),
    ("idle", None), ("punch_changed", session), ("admin_pin", state), ("admin", None)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, Any]] = []
        self.threads: list[str] = []

    def _record(self, kind: str, value: Any = None) -> None:
        self.threads.append(threading.current_thread().name)
        self.shown.append((kind, value))

    def show_idle(self) -> None:
        self._record("idle")

    def show_welcome(self, session: Session, outcome: BadgeOutcome) -> None:
        self._record("welcome", outcome)

    def show_notice(self, outcome: BadgeOutcome) -> None:
        self._record("notice", outcome)

    def show_punch_changed(self, session: Session) -> None:
        # What the screen would show then (the session goes on changing afterwards).
        self._record("punch_changed", (session.punch.direction, session.punch_undone))

    def show_admin_pin(self, state: AdminPinState) -> None:
        self._record("admin_pin", state)

    def show_admin(self) -> None:
        self._record("admin")

    @property
    def notice(self) -> BadgeOutcome | None:
        """The last notice shown, if any."""
        return next((value for kind, value in reversed(self.shown) if kind == "notice"), None)

    def brief(self) -> list[tuple[Any, ...]]:
        """What was shown, in words a test can compare: ("welcome", employee id,
        direction), ("notice", kind), ("punch", direction, undone), ("pin", state),
        ("idle",), ("admin",)."""
        out: list[tuple[Any, ...]] = []
        for kind, value in self.shown:
            if kind == "welcome":
                out.append(("welcome", value.employee.id, value.punch.direction))
            elif kind == "notice":
                out.append(("notice", value.kind))
            elif kind == "punch_changed":
                out.append(("punch", *value))
            elif kind == "admin_pin":
                out.append(("pin", value))
            else:
                out.append((kind,))
        return out
