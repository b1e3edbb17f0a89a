"""CSV import in Chromium: a dry run with errors, then a clean one, applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server.db import Database
from server.repo import directory
from tests.support.console_browser import accessibility_violations, log_in
from tests.support.console_rig import MANAGER_A, Seeded


def test_a_dry_run_with_errors_then_a_clean_one_applied(web_page: Any, seeded: Seeded,
                                                        console_db: Database,
                                                        tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(b"name,site,badges\nNina New,Plant A,0F00AA0001\n")
    good.write_bytes(b"name,site,badges\nNina New,Plant A,0F00BB0001\n")
    log_in(web_page, MANAGER_A)
    web_page.get_by_role("link", name="Import CSV").click()
    web_page.get_by_label("CSV file").set_input_files(str(bad))
    web_page.get_by_role("button", name="Check (dry run)").click()
    web_page.get_by_role("heading", name="1 faulty line: nothing will change").wait_for()
    assert "belongs to someone else" in web_page.get_by_role("table").inner_text()
    assert accessibility_violations(web_page) == []
    web_page.get_by_label("CSV file").set_input_files(str(good))
    web_page.get_by_role("button", name="Check (dry run)").click()
    web_page.get_by_role("button", name="Apply").click()
    web_page.get_by_role("status").wait_for()
    with console_db.read() as conn:
        assert "Nina New" in {e.name for e in directory.list_employees(conn)}
