"""The punch CSV: honours the filters, site-time and UTC columns, safe cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from server.db import Database
from server.repo import directory
from server.services.punch_csv import lines, safe
from tests.support.console_rig import ADMIN, MANAGER_B, ConsoleClient, Seeded
from tests.support.punch_rig import punch, terminal, utc

Client = Callable[[str | None], ConsoleClient]


def _rows(c: ConsoleClient, query: str = "") -> list[dict[str, str]]:
    response = c.get(f"/console/punches.csv{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_site_time_and_utc_columns(client: Client, seeded: Seeded,
                                               console_db: Database) -> None:
    gate = terminal(console_db, seeded.site_b, "Gate B")
    punch(console_db, gate, seeded.carl, "OUT", utc("2026-12-01 22:00"))
    [row] = _rows(client(ADMIN))
    assert row["local_time"] == "2026-12-01 17:00:00"
    assert row["timezone"] == "America/Montreal"
    assert row["utc_time"] == "2026-12-01T22:00:00Z"
    assert (row["employee"], row["terminal"], row["direction"]) == ("Carl B", "Gate B", "OUT")


def test_the_csv_honours_the_filters_and_the_callers_sites(client: Client, seeded: Seeded,
                                                           console_db: Database) -> None:
    gate_a = terminal(console_db, seeded.site_a, "Gate A")
    gate_b = terminal(console_db, seeded.site_b, "Gate B")
    punch(console_db, gate_a, seeded.ali, "IN", utc("2026-12-01 06:00"))
    punch(console_db, gate_b, seeded.carl, "IN", utc("2026-12-01 12:00"))
    punch(console_db, gate_b, seeded.carl, "OUT", utc("2026-12-03 12:00"))
    rows = _rows(client(MANAGER_B), "?since=2026-12-01&until=2026-12-01")
    assert [(r["employee"], r["direction"]) for r in rows] == [("Carl B", "IN")]


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client: Client, seeded: Seeded,
                                                              console_db: Database) -> None:
    with console_db.write() as conn:
        directory.update_employee(conn, seeded.carl, name="=HYPERLINK(\"x\")")
    gate = terminal(console_db, seeded.site_b, "@Gate")
    punch(console_db, gate, seeded.carl, "IN", utc("2026-12-01 12:00"))
    [row] = _rows(client(ADMIN))
    assert row["employee"] == "'=HYPERLINK(\"x\")" and row["terminal"] == "'@Gate"


def test_every_formula_start_is_neutralised() -> None:
    assert [safe(v) for v in ("=1", "+1", "-1", "@a", "\tx", "ok", None)] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "ok", ""]


def test_a_voided_punch_is_marked_in_the_csv(client: Client, seeded: Seeded,
                                             console_db: Database) -> None:
    gate = terminal(console_db, seeded.site_a, "Gate A")
    punch(console_db, gate, seeded.ali, "IN", utc("2026-12-01 06:00"), voided=True)
    [row] = _rows(client(ADMIN))
    assert row["voided"] == "yes" and row["void_reason"] == "mistake"


def _reference_local(utc: datetime, timezone: str) -> str:
    """The local time as a plain per-row conversion gives it."""
    return utc.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S")


def test_local_times_match_a_per_row_conversion_across_offset_changes() -> None:
    # Paris's changes (on the UTC hour), Adelaide's (+10:30 -> +9:30 at 16:30 UTC, inside
    # a UTC hour), Montreal; each minute of the hours around them, as SQLite returns
    # times (text) and as PostgreSQL does (aware datetimes).
    starts = {"Europe/Paris": ["2026-03-29 00:00", "2026-10-25 00:00"],
              "Australia/Adelaide": ["2026-04-04 15:00", "2026-10-03 15:00"],
              "America/Montreal": ["2026-11-01 05:00"]}
    raw, expected, utc_times = [], [], []
    for timezone, hours in starts.items():
        for start in hours:
            for minute in range(0, 180, 7):
                at = datetime.fromisoformat(start).replace(tzinfo=UTC) + timedelta(
                    minutes=minute, seconds=minute % 60)
                stored = at.replace(tzinfo=None).isoformat(" ", "microseconds")
                for value in (stored, at):
                    raw.append(("P", 1, "S", "T", "IN", timezone, value, value, None, None))
                    expected.append(_reference_local(at, timezone))
                    utc_times.append(at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    rows = list(csv.DictReader(io.StringIO(b"".join(lines([raw])).decode("utf-8-sig"))))
    assert [r["local_time"] for r in rows] == expected
    assert [r["utc_time"] for r in rows] == [r["received_utc"] for r in rows] == utc_times
