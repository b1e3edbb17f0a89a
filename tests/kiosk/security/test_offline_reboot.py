"""Power cuts and an unreachable server: punches never wait for the cache's key."""

from __future__ import annotations

import time

import pytest

from kiosk.demo.company import DEMO_WORKERS
from kiosk.domain.models import OutcomeKind, SendRefused
from kiosk.storage.outbox import Outbox
from server.repo import terminals
from tests.support.stolen_rig import has_messages, running, synced_site
from tests.support.sync_checks import server_punches

BADGE = DEMO_WORKERS[0].badge
DEAD_SERVER = "http://127.0.0.1:9"  # nothing listens on the discard port


def _outbox_empty(terminal) -> bool:
    return Outbox(terminal.db).depth() == 0


def test_punches_made_offline_after_reboots_reach_the_server_once_and_messages_return():
    with synced_site() as site:
        with running(site.config()) as terminal:
            online = terminal.present(BADGE)
            terminal.wait_core(_outbox_empty)
        site.stop_server()
        offline = []
        for _boot in range(2):  # two reboots with the server gone
            with running(site.config(DEAD_SERVER)) as terminal:
                outcome = terminal.present(BADGE)
                offline.append(outcome)
                assert terminal.core(lambda t: t.cache_locked)
                assert terminal.core(lambda t: t.inbox(1)) == []
        assert [o.kind for o in offline] == [OutcomeKind.WELCOME] * 2
        assert all(o.messages_locked and o.punch for o in offline)
        assert {o.employee.id for o in offline} == {online.employee.id}
        site.start_server()
        with running(site.config()) as terminal:
            terminal.wait_core(has_messages)
            terminal.wait_core(_outbox_empty)
            time.sleep(0.5)  # a second push of the same items would land now
        assert server_punches(site.server.db) == 3


def test_a_revoked_terminal_gets_no_cache_key_and_still_punches():
    with synced_site() as site:
        with site.server.db.write() as conn:
            [row] = terminals.list_terminals(conn)
            terminals.revoke(conn, row.id)
        with site.server.db.read() as conn:
            assert terminals.list_terminals(conn)[0].cache_key is None
        with running(site.config()) as terminal:
            outcome = terminal.present(BADGE)
            time.sleep(0.5)  # the sync asked for the key and was refused
            assert terminal.core(lambda t: t.cache_locked)
        assert outcome.kind is OutcomeKind.WELCOME and outcome.messages_locked


def test_a_locked_terminal_refuses_to_queue_a_message_it_would_lose():
    with synced_site() as site, running(site.config(DEAD_SERVER)) as terminal:
        with pytest.raises(SendRefused, match="messages_locked"):
            terminal.core(lambda t: t.send_message(1, [2], [], "Pause à 10 h ?"))
