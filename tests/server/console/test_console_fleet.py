"""The fleet page and its actions: site IT and HR admins see every terminal of their
sites with what needs attention, make enrollment codes, rename, revoke and report a
stolen terminal; every change is audited; other roles and other sites are refused."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from server.console.demo_fleet import plant_terminal
from server.db import Database
from server.db.types import utcnow
from server.repo import audit, fleet, terminals
from tests.support.console_rig import (
    ADMIN,
    MANAGER_A,
    SITE_IT,
    VIEWER,
    ConsoleClient,
    Seeded,
)

Client = Callable[[str | None], ConsoleClient]


@pytest.fixture
def plant(console_db: Database, seeded: Seeded) -> dict[str, int]:
    """At site A: a healthy terminal and a stale one; at site B: one (site IT is A's)."""
    with console_db.write() as conn:
        return {
            "gate": plant_terminal(conn, seeded.site_a, "Gate 1", seen_ago=timedelta(0)),
            "stale": plant_terminal(conn, seeded.site_a, "Canteen", seen_ago=timedelta(days=2),
                                    outbox={"depth": 5, "oldest_age_s": 7200.0, "rejected": 0}),
            "dock": plant_terminal(conn, seeded.site_b, "Dock"),
        }


def _row(html: str, name: str) -> str:
    """The table row (site summary or terminal) whose header cell names ``name``."""
    for row in re.findall(r"<tr\b.*?</tr>", html, re.S):
        if re.search(rf">{re.escape(name)}</a></th>", row):
            return row
    raise AssertionError(f"no row for {name}")


def _audited(db: Database, action: str) -> list[Any]:
    with db.read() as conn:
        return [e for e in audit.entries(conn) if e.action == action]


def test_site_it_sees_its_sites_terminals_and_the_stale_one_needs_attention(
        client: Client, seeded: Seeded, plant: dict[str, int]) -> None:
    c = client(SITE_IT)
    html = c.get("/console/fleet").text
    assert "Dock" not in html and "Plant B" not in html
    site = _row(html, "Plant A")
    assert 'class="site-alert"' in site and "Needs attention: 1 terminal" in site
    stale, gate = _row(html, "Canteen"), _row(html, "Gate 1")
    assert "Offline" in stale and "Outbox older than an hour" in stale
    assert "Online" in gate and "1.4.0" in gate and 'class="attention"' not in gate
    # The navigation counts it on every page.
    assert re.search(r'alert-count">1<span class="visually-hidden"> need attention',
                     c.get("/console/settings").text)


def test_an_hr_admin_sees_every_site(client: Client, plant: dict[str, int]) -> None:
    html = client(ADMIN).get("/console/fleet").text
    assert "Dock" in html and "Canteen" in html
    assert 'class="site-alert"' not in _row(html, "Plant B")


def test_each_warning_is_named(console_db: Database, seeded: Seeded) -> None:
    with console_db.write() as conn:
        for name, report in {
            "clock": {"clock_offset_s": 75.0},
            "reader": {"reader": {"state": "error", "accepted": 0, "repeats": 0, "rejected": 0}},
            "disk": {"disk_free_bytes": 100 * 2**20},
            "share": {"disk_free_bytes": 2**30, "disk_total_bytes": 64 * 2**30},
            "fine": {"clock_offset_s": -59.0},
        }.items():
            plant_terminal(conn, seeded.site_a, name, **report)
    with console_db.read() as conn:
        rows = {r.name: r for r in fleet.fleet(conn, {seeded.site_a}, utcnow())}
        count = fleet.attention_count(conn, {seeded.site_a}, utcnow())
    on = {name: [k for k in fleet.WARNING_KEYS if getattr(r, k)] for name, r in rows.items()}
    assert on == {"clock": ["clock_off"], "reader": ["reader_down"], "disk": ["disk_low"],
                  "share": ["disk_low"], "fine": []}
    assert count == 4


def test_an_enrollment_code_is_shown_as_text_and_qr_and_enrolls_a_terminal(
        client: Client, seeded: Seeded, console_db: Database,
        console_server: Any) -> None:
    response = client(SITE_IT).act("/console/fleet/enroll", {"site": str(seeded.site_a)})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    code = re.search(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>", response.text)
    assert code and "<svg" in response.text and "Valid until" in response.text
    entry, = _audited(console_db, "terminal.enrollment_code")
    assert code.group(1) not in entry.changes and entry.site_id == seeded.site_a
    enrolled = httpx.post(f"{console_server.url}/v1/enroll",
                          json={"code": code.group(1), "terminal_name": "New"})
    assert enrolled.status_code == 201 and enrolled.json()["site"]["id"] == seeded.site_a


def test_renaming_is_audited_before_and_after(client: Client, console_db: Database,
                                              plant: dict[str, int]) -> None:
    c = client(SITE_IT)
    assert c.act(f"/console/fleet/terminals/{plant['gate']}/rename",
                 {"name": "  "}).status_code == 422
    assert c.act(f"/console/fleet/terminals/{plant['gate']}/rename",
                 {"name": "Front gate"}).status_code == 303
    entry, = _audited(console_db, "terminal.rename")
    assert json.loads(entry.changes) == {"name": ["Gate 1", "Front gate"]}
    assert "Front gate" in c.get(f"/console/fleet/terminals/{plant['gate']}").text


def test_revoking_needs_the_box_ticked_then_revokes_and_is_audited(
        client: Client, console_db: Database, plant: dict[str, int]) -> None:
    c, path = client(SITE_IT), f"/console/fleet/terminals/{plant['gate']}/revoke"
    assert c.act(path, {}).status_code == 422
    with console_db.read() as conn:
        assert not terminals.is_revoked(conn, plant["gate"])
    assert c.act(path, {"confirm_revoke": "on"}).status_code == 303
    with console_db.read() as conn:
        assert terminals.is_revoked(conn, plant["gate"])
    entry, = _audited(console_db, "terminal.revoke")
    assert json.loads(entry.changes)["revoked_at"][0] is None


def test_reporting_stolen_revokes_drops_the_cache_key_and_lists_what_it_held(
        client: Client, console_db: Database, plant: dict[str, int]) -> None:
    with console_db.write() as conn:
        terminals.cache_key(conn, plant["gate"])
    c = client(SITE_IT)
    response = c.act(f"/console/fleet/terminals/{plant['gate']}/stolen",
                     {"confirm_stolen": "on"})
    assert response.status_code == 303
    with console_db.read() as conn:
        row = next(r for r in terminals.list_terminals(conn) if r.id == plant["gate"])
    assert row.revoked_at is not None and row.cache_key is None
    html = c.get(response.headers["location"]).text
    # Site A: Hana, Ali and Zoé; Ali's badge; Ali's pending message (written there).
    for held in ("3 people of its site", "1 active badge", "1 message announced"):
        assert held in html
    entry, = _audited(console_db, "terminal.report_stolen")
    changed = json.loads(entry.changes)
    assert changed["cache_key"] == ["held", None]
    assert changed["stolen"][1] == "held 3 people, 1 badges, 1 messages"


def test_roles_without_terminals_are_refused_the_pages_and_every_action(
        client: Client, console_db: Database, seeded: Seeded, plant: dict[str, int]) -> None:
    gate = plant["gate"]
    for email in (MANAGER_A, VIEWER):
        c = client(email)
        for path in ("/console/fleet", "/console/fleet/enroll",
                     f"/console/fleet/terminals/{gate}"):
            assert c.get(path).status_code == 403, (email, path)
        for path, form in ((f"/console/fleet/terminals/{gate}/rename", {"name": "x"}),
                           (f"/console/fleet/terminals/{gate}/revoke", {"confirm_revoke": "on"}),
                           (f"/console/fleet/terminals/{gate}/stolen", {"confirm_stolen": "on"}),
                           ("/console/fleet/enroll", {"site": str(seeded.site_a)})):
            assert c.act(path, form).status_code == 403, (email, path)
    with console_db.read() as conn:
        assert not terminals.is_revoked(conn, gate)
        assert audit.entries(conn, "terminal") == [] and audit.entries(conn, "site") == []


def test_another_sites_terminal_is_not_found_for_site_it(
        client: Client, console_db: Database, seeded: Seeded, plant: dict[str, int]) -> None:
    c, dock = client(SITE_IT), plant["dock"]
    assert c.get(f"/console/fleet/terminals/{dock}").status_code == 404
    assert c.get(f"/console/fleet?site={seeded.site_b}").status_code == 404
    for path, form in ((f"/console/fleet/terminals/{dock}/rename", {"name": "x"}),
                       (f"/console/fleet/terminals/{dock}/revoke", {"confirm_revoke": "on"}),
                       (f"/console/fleet/terminals/{dock}/stolen", {"confirm_stolen": "on"}),
                       ("/console/fleet/enroll", {"site": str(seeded.site_b)})):
        assert c.act(path, form).status_code == 404, path
    with console_db.read() as conn:
        assert not terminals.is_revoked(conn, dock)
        assert audit.entries(conn, "terminal") == [] and audit.entries(conn, "site") == []


def test_no_session_or_no_csrf_token_changes_nothing(client: Client, console_db: Database,
                                                     plant: dict[str, int]) -> None:
    path = f"/console/fleet/terminals/{plant['gate']}/revoke"
    anonymous = client(None)
    assert anonymous.get("/console/fleet").status_code == 303
    assert anonymous.act(path, {"confirm_revoke": "on"}).status_code == 303
    assert client(SITE_IT).act(path, {"confirm_revoke": "on"}, csrf=False).status_code == 403
    with console_db.read() as conn:
        assert not terminals.is_revoked(conn, plant["gate"])
