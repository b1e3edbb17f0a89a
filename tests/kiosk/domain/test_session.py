"""Session rules: inactivity timeout and the punch-change window, with an explicit clock."""

from datetime import datetime

from kiosk.domain.models import Direction, Employee, Punch
from kiosk.domain.session import Session, SessionPolicy

WORKER = Employee(1, "Camille", "Martin", "fr")
PUNCH = Punch("p1", 1, Direction.IN, datetime(2026, 1, 1), 0, "boot")
POLICY = SessionPolicy(timeout_s=30, punch_undo_s=8)


def session(opened_at: float = 100.0) -> Session:
    return Session(WORKER, PUNCH, opened_at, POLICY)


def test_a_session_expires_after_the_inactivity_timeout():
    s = session()
    assert not s.expired(129.9)
    assert s.expired(130.0)


def test_a_touch_restarts_the_inactivity_timeout():
    s = session()
    s.touch(120.0)
    assert not s.expired(149.0)
    assert s.expired(150.0)


def test_the_punch_can_be_changed_only_within_the_undo_window():
    s = session()
    assert s.can_change_punch(107.9)
    assert not s.can_change_punch(108.0)


def test_touching_does_not_extend_the_undo_window():
    s = session()
    s.touch(107.0)
    assert not s.can_change_punch(108.5)


def test_an_undone_punch_cannot_be_changed_again():
    s = session()
    s.punch_voided()
    assert not s.can_change_punch(101.0)
