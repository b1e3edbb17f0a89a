"""Punches: the list (site, name, days in the site's time zone, voids shown voided),
only the caller's sites, and a person's timesheet with its anomalies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from server.db import Database
from tests.support.console_rig import ADMIN, MANAGER_A, MANAGER_B, SITE_IT, ConsoleClient, Seeded
from tests.support.punch_rig import punch, terminal, utc

Client = Callable[[str | None], ConsoleClient]


@pytest.fixture
def gates(console_db: Database, seeded: Seeded) -> tuple[int, int]:
    return (terminal(console_db, seeded.site_a, "Gate A"),
            terminal(console_db, seeded.site_b, "Gate B"))


def test_the_list_shows_wall_time_in_the_sites_zone(client: Client, seeded: Seeded,
                                                    console_db: Database,
                                                    gates: tuple[int, int]) -> None:
    punch(console_db, gates[0], seeded.ali, "IN", utc("2026-12-01 06:00"))
    page = client(ADMIN).get("/console/punches").text
    assert "2026-12-01 07:00 CET" in page and "Gate A" in page and "Ali Ben" in page


def test_a_voided_punch_is_shown_voided(client: Client, seeded: Seeded, console_db: Database,
                                        gates: tuple[int, int]) -> None:
    punch(console_db, gates[0], seeded.ali, "IN", utc("2026-12-01 06:00"), voided=True)
    page = client(ADMIN).get("/console/punches").text
    assert 'class="voided"' in page and "Voided" in page


def test_a_manager_sees_only_punches_at_their_sites(client: Client, seeded: Seeded,
                                                    console_db: Database,
                                                    gates: tuple[int, int]) -> None:
    punch(console_db, gates[0], seeded.ali, "IN", utc("2026-12-01 06:00"))
    punch(console_db, gates[1], seeded.carl, "IN", utc("2026-12-01 12:00"))
    page = client(MANAGER_B).get("/console/punches").text
    assert "Carl B" in page and "Ali Ben" not in page


def test_another_sites_punches_answer_404(client: Client, seeded: Seeded) -> None:
    c = client(MANAGER_B)
    assert c.get(f"/console/punches?site={seeded.site_a}").status_code == 404
    assert c.get(f"/console/punches.csv?site={seeded.site_a}").status_code == 404
    assert c.get(f"/console/punches/people/{seeded.ali}").status_code == 404


def test_site_it_has_no_punch_page(client: Client, seeded: Seeded) -> None:
    assert client(SITE_IT).get("/console/punches").status_code == 403


def test_dates_are_days_in_the_sites_time_zone(client: Client, seeded: Seeded,
                                               console_db: Database,
                                               gates: tuple[int, int]) -> None:
    # 23:30 UTC on the 1st is 00:30 on the 2nd in Paris.
    punch(console_db, gates[0], seeded.ali, "IN", utc("2026-12-01 23:30"))
    c = client(ADMIN)
    assert "Ali Ben" in c.get("/console/punches?since=2026-12-02&until=2026-12-02").text
    assert "Ali Ben" not in c.get("/console/punches?since=2026-12-01&until=2026-12-01").text


def test_the_name_filter_keeps_that_persons_punches(client: Client, seeded: Seeded,
                                                    console_db: Database,
                                                    gates: tuple[int, int]) -> None:
    punch(console_db, gates[0], seeded.ali, "IN", utc("2026-12-01 06:00"))
    punch(console_db, gates[0], seeded.zoe, "IN", utc("2026-12-01 06:05"))
    page = client(ADMIN).get("/console/punches?q=zoe").text
    assert "Zoé O&#39;Brien" in page and "Ali Ben" not in page


def test_a_bad_date_is_an_error_on_its_field(client: Client, seeded: Seeded) -> None:
    response = client(ADMIN).get("/console/punches?until=tomorrow")
    assert response.status_code == 422 and 'id="until-error"' in response.text


def test_the_timesheet_pairs_and_totals_a_day(client: Client, seeded: Seeded,
                                              console_db: Database,
                                              gates: tuple[int, int]) -> None:
    punch(console_db, gates[0], seeded.ali, "IN", utc("2026-12-01 06:00"))
    punch(console_db, gates[0], seeded.ali, "OUT", utc("2026-12-01 14:15"))
    page = client(MANAGER_A).get(f"/console/punches/people/{seeded.ali}"
                                 "?since=2026-12-01&until=2026-12-01").text
    assert "8:15" in page and "OK" in page


@pytest.mark.parametrize(("times", "flag"), [
    ([("IN", "2026-12-01 06:00")], "Missing OUT"),
    ([("IN", "2026-12-01 06:00"), ("IN", "2026-12-01 07:00"), ("OUT", "2026-12-01 14:00")],
     "Two INs"),
    ([("OUT", "2026-12-01 14:00")], "OUT without IN"),
])
def test_the_timesheet_flags_a_broken_sequence(client: Client, seeded: Seeded,
                                               console_db: Database, gates: tuple[int, int],
                                               times: list[tuple[str, str]],
                                               flag: str) -> None:
    for direction, at in times:
        punch(console_db, gates[0], seeded.ali, direction, utc(at))
    page = client(ADMIN).get(f"/console/punches/people/{seeded.ali}"
                             "?since=2026-12-01&until=2026-12-01").text
    assert flag in page and 'class="attention"' in page


def test_the_timesheet_flags_a_terminal_clock_ahead_and_a_late_arrival(
        client: Client, seeded: Seeded, console_db: Database, gates: tuple[int, int]) -> None:
    at = utc("2026-12-01 06:00")
    punch(console_db, gates[0], seeded.ali, "IN", at, received=at - timedelta(hours=1))
    punch(console_db, gates[0], seeded.ali, "OUT", at + timedelta(hours=8),
          received=at + timedelta(days=3))
    page = client(ADMIN).get(f"/console/punches/people/{seeded.ali}"
                             "?since=2026-12-01&until=2026-12-01").text
    assert "Clock off" in page and "Arrived late" in page


def test_a_voided_punch_does_not_count_in_the_timesheet(client: Client, seeded: Seeded,
                                                        console_db: Database,
                                                        gates: tuple[int, int]) -> None:
    punch(console_db, gates[0], seeded.ali, "IN", utc("2026-12-01 06:00"))
    punch(console_db, gates[0], seeded.ali, "OUT", utc("2026-12-01 08:00"), voided=True)
    punch(console_db, gates[0], seeded.ali, "OUT", utc("2026-12-01 14:00"))
    page = client(ADMIN).get(f"/console/punches/people/{seeded.ali}"
                             "?since=2026-12-01&until=2026-12-01").text
    assert "8:00" in page and "<s>" in page
