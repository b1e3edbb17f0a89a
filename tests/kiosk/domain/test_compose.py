"""Writing on the terminal: contacts, acknowledging, sending, and what became of a sent message.

Real SQLite files (the ``terminal`` fixture), the demo company: Camille (1) may write to
her line's group (1) and its members, the manager (8) and HR (10); not to Priya (6), nor
to the logistics group (2).
"""

import json
import queue
from datetime import UTC, datetime

import pytest

from kiosk.app.station import Station
from kiosk.app.worker import CoreWorker
from kiosk.demo.company import demo_message_id as _mid
from kiosk.demo.company import seed_demo
from kiosk.domain.directory import Directory
from kiosk.domain.messages import MAX_BODY_CHARS, IncomingMessage, MessageStore
from kiosk.domain.models import SendRefused, SendStatus
from kiosk.domain.session import SessionPolicy
from kiosk.domain.terminal import Terminal
from kiosk.i18n import quick_replies
from kiosk.storage import transaction
from kiosk.sync.apply import apply_changes
from tests.support.station_view import RecordingView

CAMILLE, JORDAN, PRIYA, SOPHIE, HR = 1, 2, 6, 8, 10


def outbox(terminal, kind=None):
    rows = terminal.db.execute("SELECT id, kind, payload, seq FROM outbox ORDER BY seq").fetchall()
    return [(r[0], r[1], json.loads(r[2]), r[3]) for r in rows if kind in (None, r[1])]


def count(terminal, table):
    return terminal.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def validate(item_id, kind, payload, seq):
    from server.protocol import validate_item

    return validate_item({"id": item_id, "seq": seq, "kind": kind, "payload": payload})


# Contacts -------------------------------------------------------------------------------------

def test_contacts_are_the_contact_list_and_postable_groups_sorted_by_name(terminal):
    contacts = terminal.contacts(CAMILLE)
    names = [c.name for c in contacts]
    assert names == sorted(names, key=str.casefold)
    assert {(c.kind, c.id) for c in contacts} == {
        ("employee", e) for e in (JORDAN, 3, 4, 5, SOPHIE, HR)} | {("group", 1)}
    assert all(c.id != CAMILLE for c in contacts if c.kind == "employee")


def test_a_group_the_worker_may_not_post_to_is_not_a_contact(terminal):
    with transaction(terminal.db) as conn:
        Directory.put_group(conn, 1, "Ligne 1", [(CAMILLE, False), (JORDAN, True)])
    assert ("group", 1) not in {(c.kind, c.id) for c in terminal.contacts(CAMILLE)}
    assert ("group", 1) in {(c.kind, c.id) for c in terminal.contacts(JORDAN)}


def test_hr_may_write_to_every_active_employee_and_group(terminal):
    contacts = terminal.contacts(HR)
    assert {c.id for c in contacts if c.kind == "group"} == {1, 2}
    assert PRIYA in {c.id for c in contacts if c.kind == "employee"}


# Acknowledging ---------------------------------------------------------------------------------

def test_acknowledging_sets_the_time_and_queues_one_valid_ack(terminal):
    acked = terminal.acknowledge(_mid(1), CAMILLE)
    assert acked is not None
    assert terminal.acknowledge(_mid(1), CAMILLE) == acked  # idempotent
    items = outbox(terminal, "ack")
    assert len(items) == 1
    _, model = validate(*items[0])
    assert str(model.message_id) == _mid(1) and model.employee_id == CAMILLE
    assert terminal.open_message(_mid(1), CAMILLE).acked_at == acked


def test_the_message_awaiting_acknowledgement_comes_first_until_acknowledged(terminal):
    first = terminal.messages.first_to_acknowledge(CAMILLE)
    assert first is not None
    terminal.acknowledge(first, CAMILLE)
    assert terminal.messages.first_to_acknowledge(CAMILLE) != first


def test_acknowledging_someone_elses_message_does_nothing(terminal):
    assert terminal.acknowledge(_mid(3), CAMILLE) is None
    assert outbox(terminal) == []


# Sending ---------------------------------------------------------------------------------------

def test_sending_writes_the_message_and_its_outbox_item_together(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [1], "  Je peux, oui 👍  ")
    row = terminal.db.execute(
        "SELECT status, body, sender_id, sender_name FROM messages WHERE id = ?", (message_id,)
    ).fetchone()
    assert row == ("sending", "Je peux, oui 👍", CAMILLE, "Camille Martin")
    assert terminal.db.execute(
        "SELECT count(*) FROM message_recipients WHERE message_id = ?", (message_id,)
    ).fetchone()[0] == 0
    [(item_id, kind, payload, seq)] = outbox(terminal)
    assert (item_id, kind) == (message_id, "message")  # the server keys the message on it
    _, model = validate(item_id, kind, payload, seq)
    assert model.body == "Je peux, oui 👍" and model.to_employees == [JORDAN]
    assert model.to_groups == [1] and model.written_at is not None


@pytest.mark.parametrize(("employees", "groups", "code"), [
    ([PRIYA], [], "not_in_contact_list"),
    ([JORDAN, PRIYA], [], "not_in_contact_list"),
    ([], [2], "group_post_not_allowed"),
    ([], [], "no_recipients"),
])
def test_recipients_outside_the_contact_list_are_refused_before_any_write(
    terminal, employees, groups, code
):
    with pytest.raises(SendRefused) as refused:
        terminal.send_message(CAMILLE, employees, groups, "Bonjour")
    assert refused.value.code == code
    assert count(terminal, "outbox") == 0
    assert terminal.db.execute(
        "SELECT count(*) FROM messages WHERE sender_id = ?", (CAMILLE,)).fetchone()[0] == 0


@pytest.mark.parametrize(("body", "code"), [
    ("", "empty_body"), ("  \n\t ", "empty_body"), ("x" * (MAX_BODY_CHARS + 1), "too_long"),
])
def test_blank_or_too_long_bodies_are_refused(terminal, body, code):
    with pytest.raises(SendRefused) as refused:
        terminal.send_message(CAMILLE, [JORDAN], [], body)
    assert refused.value.code == code and count(terminal, "outbox") == 0


def test_the_longest_body_and_surrounding_blanks_pass(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "  " + "é" * MAX_BODY_CHARS + " ")
    [(item_id, kind, payload, seq)] = outbox(terminal)
    assert item_id == message_id and len(payload["body"]) == MAX_BODY_CHARS
    validate(item_id, kind, payload, seq)


def test_the_terminal_limit_is_the_wire_limit():
    from server.protocol.common import MAX_BODY_CHARS as WIRE_LIMIT

    assert MAX_BODY_CHARS == WIRE_LIMIT


def test_one_may_always_answer_the_sender(terminal):
    with transaction(terminal.db) as conn:
        MessageStore.put(conn, [IncomingMessage(
            id="6a1b8c1e-0000-4000-8000-000000000001", sender_id=PRIYA, sender_name="Priya",
            body="?", created_at=datetime.now(UTC), recipients=(CAMILLE,))])
    with pytest.raises(SendRefused):
        terminal.send_message(CAMILLE, [PRIYA], [], "Oui")
    parent = "6a1b8c1e-0000-4000-8000-000000000001"
    message_id = terminal.send_message(CAMILLE, [PRIYA], [], "Oui", reply_to=parent)
    [item] = outbox(terminal)
    _, model = validate(*item)
    assert str(model.reply_to) == parent
    thread = terminal.db.execute("SELECT thread_id FROM messages WHERE id = ?",
                                 (message_id,)).fetchone()[0]
    assert thread == parent


def test_replying_to_a_message_one_never_saw_is_refused(terminal):
    with pytest.raises(SendRefused) as refused:
        terminal.send_message(CAMILLE, [JORDAN], [], "Oui", reply_to=_mid(3))
    assert refused.value.code == "unknown_message"


# What became of it -----------------------------------------------------------------------------

def _mark_outbox(terminal, item_id, state, error=None):
    with transaction(terminal.db) as conn:
        conn.execute("UPDATE outbox SET state = ?, error = ? WHERE id = ?",
                     (state, json.dumps(error) if error else None, item_id))


def test_a_sent_message_goes_sending_pending_approved(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "J'arrive")
    assert [(s.id, s.status) for s in terminal.sent(CAMILLE)][0] == (message_id,
                                                                      SendStatus.SENDING)
    _mark_outbox(terminal, message_id, "sent")
    assert terminal.sent(CAMILLE)[0].status is SendStatus.PENDING
    with transaction(terminal.db) as conn:
        apply_changes(conn, [{"type": "moderation", "message_id": message_id,
                              "status": "pending"}])
    assert terminal.sent(CAMILLE)[0].status is SendStatus.PENDING
    with transaction(terminal.db) as conn:
        apply_changes(conn, [{"type": "moderation", "message_id": message_id,
                              "status": "approved"}])
    assert terminal.sent(CAMILLE)[0].status is SendStatus.APPROVED


def test_a_rejected_message_carries_its_reason(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Bof")
    _mark_outbox(terminal, message_id, "sent")
    with transaction(terminal.db) as conn:
        apply_changes(conn, [{"type": "moderation", "message_id": message_id,
                              "status": "rejected", "reason": "Hors sujet"}])
    sent = terminal.sent(CAMILLE)[0]
    assert (sent.status, sent.reason) == (SendStatus.REJECTED, "Hors sujet")


def test_an_item_the_server_refused_shows_as_rejected(terminal):
    message_id = terminal.send_message(CAMILLE, [JORDAN], [], "Bof")
    _mark_outbox(terminal, message_id, "rejected",
                 {"code": "not_in_contact_list", "message": "employee 2 is not a contact"})
    sent = terminal.sent(CAMILLE)[0]
    assert sent.status is SendStatus.REJECTED and "not a contact" in sent.reason


def test_quick_replies_speak_the_workers_language():
    assert quick_replies("fr") == ["OK", "Merci", "J'arrive", "Je ne peux pas"]
    assert quick_replies("en") == ["OK", "Thanks", "On my way", "I can't"]
    assert quick_replies("xx") == quick_replies("en")


# Through the station ---------------------------------------------------------------------------


@pytest.fixture
def station(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    term = Terminal.open(path)
    seed_demo(term.db)
    term.close()
    calls: queue.SimpleQueue = queue.SimpleQueue()
    worker = CoreWorker(lambda: Terminal.open(path), calls.put)
    worker.start()
    station = Station(worker, RecordingView(), SessionPolicy(timeout_s=30, punch_undo_s=8))
    station.on_badge("0F00123456")
    calls.get(timeout=5)()
    yield station, lambda: calls.get(timeout=5)()
    worker.stop()


def test_the_station_sends_and_reports_refusals_apart_from_storage_faults(station):
    station, run_one = station
    got: list = []
    station.send([JORDAN], [], "OK", None, got.append, got.append)
    run_one()
    station.send([PRIYA], [], "OK", None, got.append, got.append)
    run_one()
    assert isinstance(got[0], str) and isinstance(got[1], SendRefused)
    assert station._view.notice is None


def test_results_after_the_session_ended_are_dropped(station):
    station, run_one = station
    got: list = []
    station.acknowledge(_mid(1), got.append)
    station.load_contacts(got.append)
    station.end_session()
    run_one()
    run_one()
    assert got == []
