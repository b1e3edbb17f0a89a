"""`console-tour`: a screenshot of every console page, in English and in French, on a
demo company (as `kiosk tour` does for the terminal's screens). Needs Playwright (the
test extra) and Debian's chromium."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from server.cli.common import Result, add_command
from server.db import Database

CHROMIUM = "/usr/bin/chromium"
SIZES = {"laptop": (1280, 800), "tablet": (820, 1180)}


def pages(company: Any) -> list[tuple[str, str]]:
    """(file name, path) of every page worth a look."""
    return [
        ("people", "/console/people"),
        ("people-search", "/console/people?q=0F00"),
        ("person-new", "/console/people/new"),
        ("people-import", "/console/import/people"),
        ("person", f"/console/people/{company.worker}"),
        ("contacts", "/console/contacts?q=a"),
        ("contact-list", f"/console/contacts/{company.worker}?find=zo"),
        ("contacts-bulk", f"/console/contacts/bulk?group={company.group}&emp=1"),
        ("groups", "/console/groups"),
        ("group", f"/console/groups/{company.group}"),
        ("moderation", "/console/moderation"),
        ("broadcasts", "/console/broadcasts"),
        ("broadcast-new", "/console/broadcasts/new"),
        ("broadcast-report", f"/console/broadcasts/{company.broadcast}"),
        ("punches", "/console/punches"),
        ("timesheet", f"/console/punches/people/{company.worker}"),
        ("settings", "/console/settings"),
        ("site-settings", f"/console/settings/{company.site}"),
        ("fleet", "/console/fleet"),
        ("fleet-terminal", f"/console/fleet/terminals/{company.stale_terminal}"),
        ("audit", "/console/audit"),
        ("audit-filtered", "/console/audit?action=employee.update&since=2000-01-01"),
    ]


def _tour(_db: Database | None, a: argparse.Namespace) -> Result:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("error: console-tour needs Playwright (pip install playwright) "
                         "and chromium (apt-get install chromium)") from None
    from server.console import demo
    from server.db import url_from_path
    from server.embedded import start_embedded_server

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "tour.db"
        server = start_embedded_server(db_path)
        db = Database(url_from_path(db_path))
        try:
            company = demo.seed(db)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=a.chromium, headless=True)
                for size, (width, height) in SIZES.items():
                    page = browser.new_page(base_url=server.url,
                                            viewport={"width": width, "height": height})
                    page.goto("/console/login")
                    saved.append(_shot(page, out / f"login-{size}-en.png"))
                    page.get_by_label("E-mail address").fill(demo.ADMIN_EMAIL)
                    page.get_by_label("Password").fill(demo.ADMIN_PASSWORD)
                    page.get_by_role("button", name="Log in").click()
                    page.wait_for_selector("h1")
                    for lang in ("en", "fr"):
                        _language(page, lang)
                        for name, path in pages(company):
                            page.goto(path)
                            saved.append(_shot(page, out / f"{name}-{size}-{lang}.png"))
                        saved.append(_enrollment_code(page, out / f"fleet-code-{size}-{lang}.png"))
                    _language(page, "en")
                    page.close()
                browser.close()
        finally:
            server.stop()
            db.dispose()
    return [{"file": str(path)} for path in saved]


def _language(page: Any, lang: str) -> None:
    page.goto("/console/people")
    page.locator("#lang-switch").select_option(lang)
    page.locator("#lang-switch").locator("xpath=..").locator("button").click()
    page.wait_for_selector(f"html[lang={lang}]")


def _enrollment_code(page: Any, path: Path) -> Path:
    """The enrollment code page, once a code is made (a POST: no URL shows it)."""
    page.goto("/console/fleet/enroll")
    page.locator("#site").select_option(index=1)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_selector(".qr svg")
    return _shot(page, path)


def _shot(page: Any, path: Path) -> Path:
    page.wait_for_load_state("load")
    page.screenshot(path=str(path), full_page=True)
    return path


def register(sub: Any) -> None:
    p = add_command(sub, "console-tour", "save a screenshot of every HR console page, in "
                    "English and French, at laptop and tablet sizes, on a demo company",
                    _tour, with_db=False)
    p.add_argument("--out", required=True, help="folder for the PNG files")
    p.add_argument("--chromium", default=CHROMIUM, help=f"browser (default {CHROMIUM})")
    p.set_defaults(needs_db=False, columns=("file",))
