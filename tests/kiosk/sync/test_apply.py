"""Pulled changes land in the terminal's cache; the cursor is saved with them.

A change the terminal cannot apply is set aside (``pull_quarantine``), never blocking
the pull: the others of the page are applied and the cursor moves on.
"""

import json
from datetime import UTC, datetime

import pytest

from kiosk.domain.models import OutcomeKind
from kiosk.domain.terminal import Terminal
from kiosk.storage import transaction
from kiosk.sync.apply import apply_changes, load_cursor, save_cursor, split_name

NOW = datetime.now(UTC).isoformat()


@pytest.fixture
def terminal(tmp_path):
    term = Terminal.open(tmp_path / "k.sqlite3")
    yield term
    term.close()


def apply(terminal, *changes, cursor="c1"):
    with transaction(terminal.db) as conn:
        apply_changes(conn, list(changes))
        save_cursor(conn, cursor)


EMPLOYEE = {"type": "employee", "id": 7, "name": "Jean-Pierre De La Tour", "role": "worker",
            "language": "fr", "active": True, "site_id": 1, "moderated": False}
BADGE = {"type": "badge", "id": 70, "employee_id": 7, "uid": "0F00123456", "active": True}


def message(mid="6f1c1c1e-0000-4000-8000-000000000001", recipients=(7,), status="approved"):
    return {"type": "message", "id": mid, "thread_id": mid, "reply_to": None, "sender_id": 7,
            "kind": "text", "body": "Bonjour", "attachment": None, "drawing": None,
            "to_employees": list(recipients), "to_groups": [], "recipients": list(recipients),
            "ack_required": False, "expires_at": None, "written_at": None, "created_at": NOW,
            "status": status, "rejection_reason": None}


def test_first_name_is_the_first_word_of_the_name():
    assert split_name("Jean-Pierre De La Tour") == ("Jean-Pierre", "De La Tour")
    assert split_name("Madonna") == ("Madonna", "")


def test_a_pulled_employee_and_badge_make_the_badge_known(terminal):
    apply(terminal, EMPLOYEE, BADGE)
    outcome = terminal.present_badge("0F00123456")
    assert outcome.kind is OutcomeKind.WELCOME
    assert outcome.employee.first_name == "Jean-Pierre"


def test_a_disabled_badge_change_refuses_the_badge(terminal):
    apply(terminal, EMPLOYEE, BADGE, {**BADGE, "active": False})
    assert terminal.present_badge("0F00123456").kind is OutcomeKind.DISABLED


def test_a_deleted_badge_becomes_unknown(terminal):
    apply(terminal, EMPLOYEE, BADGE, {"type": "delete", "entity": "badge", "id": 70})
    assert terminal.present_badge("0F00123456").kind is OutcomeKind.UNKNOWN_BADGE


def test_an_approved_message_reaches_the_recipients_inbox(terminal):
    apply(terminal, EMPLOYEE, message())
    assert [m.preview for m in terminal.inbox(7)] == ["Bonjour"]


def test_a_pending_message_is_not_shown_to_recipients(terminal):
    apply(terminal, EMPLOYEE, message(status="pending"))
    assert terminal.inbox(7) == []


def test_a_read_on_another_terminal_marks_the_message_read_here(terminal):
    m = message()
    apply(terminal, EMPLOYEE, m, {"type": "message_status", "message_id": m["id"],
                                  "employee_id": 7, "delivered_at": None, "read_at": NOW,
                                  "acked_at": None})
    assert terminal.messages.unread_count(7) == 0


def test_the_cursor_is_saved_with_the_changes(terminal):
    apply(terminal, EMPLOYEE, cursor="abc")
    assert load_cursor(terminal.db.conn) == "abc"


def quarantine(terminal) -> list[tuple[str | None, dict, str]]:
    rows = terminal.db.execute(
        "SELECT change_type, change, error FROM pull_quarantine ORDER BY id").fetchall()
    return [(kind, json.loads(change), error) for kind, change, error in rows]


def test_a_change_that_cannot_be_applied_is_set_aside_and_the_others_applied(terminal):
    bad = {**message(), "created_at": "yesterday"}
    apply(terminal, EMPLOYEE, bad, BADGE, cursor="after")
    assert terminal.present_badge("0F00123456").kind is OutcomeKind.WELCOME
    assert load_cursor(terminal.db.conn) == "after"
    [(kind, change, error)] = quarantine(terminal)
    assert (kind, change) == ("message", bad)
    assert error.startswith("ValueError: ")


def test_a_change_failing_halfway_leaves_nothing_of_itself(terminal):
    apply(terminal, EMPLOYEE, BADGE)
    # The badge applier first frees server id 70 (deleting the old uid), then fails on
    # the missing "active": the savepoint brings the old badge back.
    apply(terminal, {"type": "badge", "id": 70, "employee_id": 7, "uid": "0F00999999"})
    assert terminal.present_badge("0F00123456").kind is OutcomeKind.WELCOME
    assert quarantine(terminal)[0][2] == "KeyError: 'active'"


def test_a_change_that_is_not_an_object_with_a_type_is_set_aside(terminal):
    apply(terminal, ["employee", 7], {"id": 7}, EMPLOYEE)
    assert [(kind, change) for kind, change, _ in quarantine(terminal)] == [
        (None, ["employee", 7]), (None, {"id": 7})]
    assert terminal.directory.employee(7) is not None


def test_a_set_aside_change_is_logged_by_type_without_its_content(terminal, caplog):
    apply(terminal, {**message(), "body": "Secret de la paie", "created_at": "hier"})
    assert "message change could not be applied (ValueError)" in caplog.text
    assert "Secret" not in caplog.text and "hier" not in caplog.text


def test_unknown_change_types_from_a_newer_server_are_skipped(terminal):
    with transaction(terminal.db) as conn:
        assert apply_changes(conn, [{"type": "hologram"}, EMPLOYEE]) == 1
    assert terminal.directory.employee(7) is not None


def test_a_poison_message_in_a_run_of_messages_is_set_aside_alone(terminal):
    """Consecutive messages are stored a run at a time; one that cannot be, and only it,
    is set aside: the run is applied again change by change."""
    good = [message(f"6f1c1c1e-0000-4000-8000-00000000000{n}") for n in (2, 3)]
    bad = {**message("6f1c1c1e-0000-4000-8000-000000000009"), "created_at": "yesterday"}
    apply(terminal, EMPLOYEE, good[0], bad, good[1])
    assert len(terminal.inbox(7)) == 2
    assert [change for _, change, _ in quarantine(terminal)] == [bad]


def test_a_run_of_messages_names_each_sender_as_the_directory_knows_them(terminal):
    apply(terminal, EMPLOYEE, *(message(f"6f1c1c1e-0000-4000-8000-00000000001{n}")
                                for n in range(3)))
    names = terminal.db.execute("SELECT DISTINCT sender_name FROM messages").fetchall()
    assert names == [("Jean-Pierre De La Tour",)]
