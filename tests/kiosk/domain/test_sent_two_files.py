"""A message's outbox row (punch store) and its Sent row (encrypted cache) are two files:
the outbox row is committed first and is the truth; the Sent row is re-made from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from contract.sealing import decode_box, item_context, new_key_pair, open_box
from kiosk.demo.company import seed_demo
from kiosk.domain.models import SendStatus
from kiosk.domain.terminal import Terminal
from kiosk.storage import open_database

CACHE_KEY = os.urandom(32)
PRIVATE, PUBLIC = new_key_pair()
BODY = "Le chariot 3 est en panne, prenez le 5"

# The child dies the moment the outbox row is committed, before the Sent row's write.
CHILD = """
import os, sys
from pathlib import Path
from kiosk.domain import outgoing
from kiosk.domain.terminal import Terminal

outgoing.record_sent = lambda db, row: os._exit(9)
terminal = Terminal.open(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))
terminal.send_message(1, [2], [], sys.argv[3])
"""

# The child sends a held quick reply, takes it back, and dies the moment the outbox row
# is gone, before the Sent row's write.
CHILD_UNDO = """
import os, sys
from pathlib import Path
from kiosk.domain import messages
from kiosk.domain.terminal import Terminal

messages.finish_withdrawal = lambda db, ids: os._exit(9)
terminal = Terminal.open(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))
message_id = terminal.send_message(1, [2], [], sys.argv[3], hold_s=60)
terminal.withdraw_message(message_id, 1)
"""


def _encrypted_terminal(path) -> None:
    db = open_database(path)
    seed_demo(db)
    db.conn.close()
    Terminal.open(path, CACHE_KEY, PUBLIC).close()  # split, and the server's key kept


def _queued_messages(terminal: Terminal) -> list[tuple[str, str]]:
    return terminal.db.execute("SELECT id, payload FROM outbox WHERE kind = 'message'").fetchall()


def test_a_crash_between_the_outbox_and_the_sent_row_loses_nothing_and_duplicates_nothing(
        tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    _encrypted_terminal(path)
    child = subprocess.run([sys.executable, "-c", CHILD, str(path), CACHE_KEY.hex(), BODY],
                           cwd=os.getcwd(), capture_output=True, timeout=60)
    assert child.returncode == 9, child.stderr.decode()[-500:]
    for _start in range(2):  # restarted twice: restored once, never twice
        terminal = Terminal.open(path, CACHE_KEY)
        [sent] = terminal.sent(1)
        [(item_id, payload)] = _queued_messages(terminal)
        terminal.close()
        assert (sent.id, sent.status, sent.body) == (item_id, SendStatus.SENDING, BODY)
        assert sent.recipients and sent.kind == "text"
    box = decode_box(json.loads(payload)["sealed"])
    assert json.loads(open_box(PRIVATE, box, item_context(item_id, "message")))["body"] == BODY


def test_a_message_sent_without_a_crash_is_in_both_files_at_once(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    _encrypted_terminal(path)
    terminal = Terminal.open(path, CACHE_KEY)
    message_id = terminal.send_message(1, [2], [], BODY)
    assert [s.id for s in terminal.sent(1)] == [message_id]
    assert [row[0] for row in _queued_messages(terminal)] == [message_id]
    terminal.close()


def test_a_held_sealed_message_withdrawn_leaves_nothing_behind(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    _encrypted_terminal(path)
    terminal = Terminal.open(path, CACHE_KEY)
    message_id = terminal.send_message(1, [2], [], BODY, hold_s=60)
    assert terminal.withdraw_message(message_id, 1)
    assert terminal.sent(1) == [] and _queued_messages(terminal) == []
    assert terminal.db.execute("SELECT count(*) FROM sent_to").fetchone()[0] == 0
    terminal.close()


def test_a_crash_while_taking_back_a_quick_reply_leaves_no_pending_sent_row(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    _encrypted_terminal(path)
    child = subprocess.run([sys.executable, "-c", CHILD_UNDO, str(path), CACHE_KEY.hex(),
                            BODY], cwd=os.getcwd(), capture_output=True, timeout=60)
    assert child.returncode == 9, child.stderr.decode()[-500:]
    for _start in range(2):  # restarted twice: finished once, nothing left over
        terminal = Terminal.open(path, CACHE_KEY)
        assert terminal.sent(1) == [] and _queued_messages(terminal) == []
        assert terminal.db.execute("SELECT count(*) FROM withdrawn_sends").fetchone()[0] == 0
        terminal.close()
