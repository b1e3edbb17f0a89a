"""Punches in Chromium: the CSV is downloaded and parsed; the pages are accessible."""

from __future__ import annotations

import csv
import io
from typing import Any

from server.db import Database
from tests.support.console_browser import accessibility_violations, log_in
from tests.support.console_rig import MANAGER_A, Seeded
from tests.support.punch_rig import punch, terminal, utc


def test_a_manager_downloads_the_filtered_punch_csv(web_page: Any, seeded: Seeded,
                                                    console_db: Database) -> None:
    gate = terminal(console_db, seeded.site_a, "Gate A")
    punch(console_db, gate, seeded.ali, "IN", utc("2026-12-01 06:00"))
    punch(console_db, gate, seeded.zoe, "IN", utc("2026-12-01 06:05"))
    log_in(web_page, MANAGER_A)
    web_page.get_by_role("link", name="Punches").click()
    web_page.get_by_label("Person").fill("Ali")
    web_page.get_by_role("button", name="Filter").click()
    web_page.get_by_text("1 punch").wait_for()
    with web_page.expect_download() as info:
        web_page.get_by_role("link", name="Export CSV").click()
    path = info.value.path()
    rows = list(csv.DictReader(io.StringIO(open(path, encoding="utf-8-sig").read())))
    assert [(r["employee"], r["local_time"]) for r in rows] == [
        ("Ali Ben", "2026-12-01 07:00:00")]


def test_the_punch_pages_are_accessible(web_page: Any, seeded: Seeded,
                                        console_db: Database) -> None:
    gate = terminal(console_db, seeded.site_a, "Gate A")
    punch(console_db, gate, seeded.ali, "IN", utc("2026-12-01 06:00"))
    log_in(web_page, MANAGER_A)
    web_page.get_by_role("heading", name="People").wait_for()
    found = {}
    for path in ("/console/punches", "/console/punches?since=x",
                 f"/console/punches/people/{seeded.ali}?since=2026-11-28&until=2026-12-02"):
        web_page.goto(path)
        found[path] = accessibility_violations(web_page)
    assert {k: v for k, v in found.items() if v} == {}
