"""The punch CSV: honours the filters, site-time and UTC columns, safe cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from server.db import Database
from server.repo import directory
from server.services.punch_csv import safe
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
