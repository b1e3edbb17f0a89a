"""Site settings in the real app at 800x480: written to the terminal's database as the sync
stores them, then followed by the running app without a restart."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.demo.company import demo_message_id
from kiosk.settings.site_settings import PunchMode

QUESTION = demo_message_id(5)  # Jordan's question to Camille: takes replies
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "/tmp/shots/site-settings"))


def _write(app: Any, values: dict[str, Any] | None) -> None:
    from kiosk.storage import open_database, transaction
    from kiosk.sync.apply import apply_changes

    db = open_database(app.shell.runtime.config.database_path)  # a second connection
    try:
        with transaction(db) as conn:
            if values is None:
                conn.execute("DELETE FROM sync_state WHERE key = 'site_settings'")
            else:
                apply_changes(conn, [{"type": "site_settings", "site_id": 1, "name": "Demo",
                                      "timezone": "Europe/Paris", "language": "fr", **values}])
    finally:
        db.conn.close()


@pytest.fixture
def site_settings(app: Any) -> Iterator[Callable[..., None]]:
    """site_settings(**values): as if the server sent them; the app follows within seconds."""
    base = app.shell.runtime.site_settings.base

    def apply(**values: Any) -> None:
        _write(app, values)
        app.wait_until(lambda: app.router.settings == base.with_server(values), 5,
                       "the new site settings")

    yield apply
    _write(app, None)
    app.wait_until(lambda: app.router.settings == base, 5, "the config's settings again")
    app.router.done()


def _shot(app: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    app.pump(0.2)
    app.screenshot().save(SHOTS / f"{name}-800x480.png")


def test_in_messages_only_mode_the_welcome_greets_without_a_punch(
        app, site_settings, demo_badges, demo_names, texts):
    site_settings(punch_mode="messages_only")
    assert app.shell.runtime.settings.punch_mode is PunchMode.MESSAGES_ONLY
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    welcome = app.screen("welcome")
    app.wait_until(lambda: welcome.name_text == demo_names["fr"], 5, "the welcome")
    assert not welcome.has_punch and welcome.ids.punch_card.opacity == 0
    assert welcome.greeting == "Bonjour,"
    shown = texts(app)
    assert not {"Pointage annulé", "Entrée", "Sortie", "Rien n'a été enregistré."} & set(shown)
    assert not welcome.ids.switch_button.opacity and not welcome.ids.undo_button.opacity
    _shot(app, "welcome-messages-only-fr")


def test_site_quick_replies_show_under_a_message(app, site_settings, demo_badges):
    site_settings(quick_replies={"fr": ["J'arrive tout de suite", "Bien reçu"]})
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    app.router.open_message(QUESTION)
    message = app.screen("message")
    app.wait_until(lambda: message.message is not None, 5, "the message")
    app.pump(0.1)
    chips = [chip.text for chip in reversed(message.ids.quick_row.children)]
    assert chips == ["J'arrive tout de suite", "Bien reçu"]
    _shot(app, "message-site-quick-replies-fr")


def test_the_idle_screen_switches_to_the_sites_language_at_once(app, site_settings):
    from kiosk.ui.i18n import tr

    assert tr.lang == "fr"
    site_settings(idle_language="en")
    app.wait_until(lambda: tr.lang == "en", 5, "English on the idle screen")
    assert app.router.current == "idle"
    _shot(app, "idle-site-language-en")


def test_the_next_notice_stays_the_sites_notice_time(app, site_settings, demo_badges):
    site_settings(notice_s=7)
    assert app.router.notice_s == 7.0
    app.present(demo_badges["unknown"])
    app.wait_for_screen("notice")
    app.pump(3.0)  # the config's 2 s are over; the site's 7 s are not
    assert app.router.current == "notice"


def test_quick_replies_longer_than_the_row_show_only_the_ones_that_fit(
        app, site_settings, demo_badges):
    replies = ["Je passe au bureau", "Bien reçu, merci", "Je te rappelle", "Pas aujourd'hui"]
    site_settings(quick_replies={"fr": replies})
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    app.router.open_message(QUESTION)
    message = app.screen("message")
    app.wait_until(lambda: message.message is not None, 5, "the message")
    app.pump(0.2)
    row = message.ids.quick_row
    chips = list(reversed(row.children))
    assert [chip.text for chip in chips] == replies[:len(chips)] and chips
    assert chips[-1].right <= row.right < message.ids.reply_button.x  # none under Reply


def _corner_rgb(app: Any) -> tuple[int, int, int]:
    app.pump(0.1)
    return app.screenshot().convert("RGB").getpixel((2, 2))


def test_the_sites_light_theme_shows_at_once_on_the_idle_screen(app, site_settings):
    from kiosk.ui.theme import theme

    assert _corner_rgb(app) == (11, 19, 34)  # the dark theme's background, #0B1322
    site_settings(theme="light")
    app.wait_until(lambda: theme.palette == "light", 5, "the light theme")
    assert app.router.current == "idle" and _corner_rgb(app) == (255, 255, 255)
    _shot(app, "idle-site-theme-light")


def test_a_theme_set_during_a_session_shows_from_the_next_idle_screen(
        app, site_settings, demo_badges):
    from kiosk.ui.theme import theme

    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    site_settings(theme="light")
    assert theme.palette == "dark"  # never under the worker's finger
    app.router.done()
    app.wait_for_screen("idle")
    assert theme.palette == "light" and _corner_rgb(app) == (255, 255, 255)
