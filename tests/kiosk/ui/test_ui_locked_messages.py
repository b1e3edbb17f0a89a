"""Without the message cache's key, the message screens say in the worker's language that
messages come back when the terminal is online again, and take no touch meant for them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.ui.widgets.common import LockedMessages


@pytest.fixture
def locked(app: Any) -> Iterator[Any]:
    app.lock_messages()
    try:
        yield app
    finally:
        app.router.done()
        app.lock_messages(False)


def _notice(screen: Any) -> LockedMessages:
    [notice] = [w for w in screen.children if isinstance(w, LockedMessages)]
    return notice


@pytest.mark.parametrize(("lang", "title"), [
    ("fr", "Messages disponibles quand le terminal sera de nouveau en ligne"),
    ("en", "Messages available when the terminal is back online")])
def test_the_inbox_and_compose_say_messages_come_back_online(locked, demo_badges, lang, title):
    locked.present(demo_badges[lang])
    locked.wait_for_screen("welcome")
    for name, go in (("inbox", locked.router.open_inbox),
                     ("compose", locked.router.compose_new)):
        go()
        locked.wait_for_screen(name)
        notice = _notice(locked.screen(name))
        assert notice.shown and notice.opacity == 1
        assert notice.ids.locked_title.text == title


def test_a_touch_on_a_hidden_button_does_nothing_and_back_still_works(locked, demo_badges):
    locked.present(demo_badges["fr"])
    locked.wait_for_screen("welcome")
    locked.router.open_inbox()
    inbox = locked.screen("inbox")
    locked.wait_for_screen("inbox")
    locked.tap(inbox.ids.write_button)  # under the notice: no compose opens
    assert locked.router.manager.current == "inbox"
    locked.tap(_notice(inbox).children[-1].ids.back_button)  # the notice's own header
    locked.wait_for_screen("welcome")


def test_an_unlocked_terminal_shows_its_inbox(app, demo_badges):
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    app.router.open_inbox()
    app.wait_for_screen("inbox")
    assert not _notice(app.screen("inbox")).shown
