"""POST /v1/status: a terminal reports its own state; the server keeps the latest per
terminal and refuses hostile values with a 4xx, never a 5xx."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from server.db import Database
from server.db.types import utcnow
from server.repo import fleet, terminals
from tests.server.server_testkit import Terminal, World

REPORT: dict[str, Any] = {
    "app_version": "1.4.0", "sent_at": "2026-12-05T05:00:00+01:00",
    "outbox": {"depth": 3, "oldest_age_s": 120.5, "rejected": 1},
    "clock_offset_s": -2.25,
    "reader": {"state": "connected", "accepted": 40, "repeats": 3, "rejected": 1},
    "quarantined": 0, "disk_free_bytes": 8 * 2**30, "disk_total_bytes": 16 * 2**30,
    "uptime_s": 3600,
}


def _state(db: Database, terminal_id: int) -> Any:
    with db.read() as conn:
        return fleet.get_terminal(conn, terminal_id, utcnow())


def test_a_report_is_stored_as_the_terminals_latest_state(terminal: Terminal,
                                                         db: Database) -> None:
    response = terminal.post("/v1/status", json=REPORT)
    assert response.status_code == 200, response.text
    assert response.json()["next_report_s"] == 300
    row = _state(db, terminal.terminal_id)
    assert (row.app_version, row.outbox_depth, row.reader_state, row.reader_accepted,
            row.clock_offset_s, row.uptime_s) == ("1.4.0", 3, "connected", 40, -2.25, 3600)
    assert row.outbox_oldest_at < row.received_at
    second = copy.deepcopy(REPORT)
    second["outbox"] = {"depth": 0, "oldest_age_s": None, "rejected": 1}
    assert terminal.post("/v1/status", json=second).status_code == 200
    row = _state(db, terminal.terminal_id)
    assert row.outbox_depth == 0 and row.outbox_oldest_at is None


def test_a_terminal_cannot_report_for_another(enroll: Callable[..., Terminal], world: World,
                                             db: Database) -> None:
    mine, other = enroll(world.site, "gate 1"), enroll(world.site, "gate 2")
    response = mine.post("/v1/status", json={**REPORT, "terminal_id": other.terminal_id})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert _state(db, other.terminal_id).received_at is None
    assert _state(db, mine.terminal_id).received_at is None


def test_a_revoked_terminal_is_refused_and_nothing_is_stored(terminal: Terminal,
                                                            db: Database) -> None:
    with db.write() as conn:
        terminals.revoke(conn, terminal.terminal_id)
    response = terminal.post("/v1/status", json=REPORT)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "terminal_revoked"
    assert _state(db, terminal.terminal_id).received_at is None


def test_a_report_without_a_token_is_refused(terminal: Terminal) -> None:
    response = terminal.post("/v1/status", json=REPORT, headers={"Authorization": ""})
    assert response.status_code == 401


def _with(path: str, value: Any) -> dict[str, Any]:
    report = copy.deepcopy(REPORT)
    *parents, last = path.split(".")
    target = report
    for key in parents:
        target = target[key]
    target[last] = value
    return report


HOSTILE = [
    ("outbox.depth", -1), ("outbox.depth", 10**30), ("outbox.depth", "3"),
    ("outbox.depth", True), ("outbox.oldest_age_s", -5), ("outbox.oldest_age_s", 1e300),
    ("clock_offset_s", "NaN"), ("clock_offset_s", 1e308), ("reader.state", "exploded"),
    ("reader.accepted", 1.5), ("quarantined", None), ("disk_free_bytes", -1),
    ("disk_free_bytes", 2**70), ("disk_total_bytes", 0), ("uptime_s", [1]),
    ("app_version", "1.0<script>"), ("app_version", "x" * 41), ("app_version", 1),
    ("sent_at", "2026-12-05T05:00:00"), ("sent_at", 1796441234), ("outbox", "full"),
    ("reader", {"state": "connected"}),
]


def test_hostile_values_are_refused_with_a_clear_4xx(terminal: Terminal,
                                                    db: Database) -> None:
    for path, value in HOSTILE:
        response = terminal.post("/v1/status", json=_with(path, value))
        assert response.status_code == 422, (path, value, response.status_code)
        error = response.json()["error"]
        assert error["code"] == "invalid_request", (path, value)
        assert any(path.split(".")[-1] in str(d.get("loc")) for d in error["details"]), \
            (path, error)
    for body in (b"{not json", b"[]", b'"report"', b"{}"):
        response = terminal.post("/v1/status", content=body,
                                 headers={"Content-Type": "application/json"})
        assert 400 <= response.status_code < 500, (body, response.status_code)
    assert _state(db, terminal.terminal_id).received_at is None
