"""The demo company of `console-tour`: every page it photographs answers, in both
languages (the screenshots themselves are taken by `python -m server console-tour`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli.tour import pages
from server.console import demo
from server.db import Database, url_from_path
from server.embedded import start_embedded_server
from tests.support.console_rig import ConsoleClient


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_toured_page_answers_on_the_demo_company(tmp_path: Path, lang: str) -> None:
    server = start_embedded_server(tmp_path / "tour.db")
    db = Database(url_from_path(tmp_path / "tour.db"))
    try:
        company = demo.seed(db)
        with ConsoleClient(server.url) as c:
            assert c.login(demo.ADMIN_EMAIL, demo.ADMIN_PASSWORD).status_code == 303
            c.act("/console/account/language", {"language": lang})
            for _name, path in pages(company):
                response = c.get(path)
                assert response.status_code == 200, path
                assert f'<html lang="{lang}">' in response.text
            picture_ids = c.get("/console/moderation").text.count("/picture\"")
            assert picture_ids == 2  # the photo and the drawing's render
    finally:
        server.stop()
        db.dispose()
