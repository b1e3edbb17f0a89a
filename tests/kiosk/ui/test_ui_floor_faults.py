"""Faults a worker met on the floor (issue 13), each driven through the real screens at 800x480."""

from __future__ import annotations

from typing import Any

from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

from kiosk.demo.company import DEMO_PICTURE_MESSAGES, demo_message_id

EN_ANNOUNCEMENT = demo_message_id(3)  # Nadia's announcement, text only


def _welcome(app: Any, badge: str) -> Any:
    app.present(badge)
    app.wait_for_screen("welcome")
    return app.screen("welcome")


def _compose(app: Any, badge: str) -> Any:
    _welcome(app, badge)
    app.router.compose_new()
    app.wait_for_screen("compose")
    compose = app.screen("compose")
    app.wait_until(lambda: len(compose.ids.contact_grid.children) > 3, 5, "the contacts")
    app.pump(0.2)  # laid out
    return compose


def _tap_at(app: Any, x: float, y: float) -> None:
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    app.pump(0.05)
    touch.touch_up()
    app.pump(0.1)


def _on_screen(widget: Any) -> bool:
    x, y = widget.to_window(widget.x, widget.y)
    return x >= 0 and y >= 0 and x + widget.width <= Window.width and (
        y + widget.height <= Window.height)


def test_the_right_half_of_drawing_opens_the_drawing_screen(app, demo_badges):
    compose = _compose(app, demo_badges["fr"])
    button = compose.ids.drawing_button
    x, y = button.to_window(button.right - 8, button.center_y)
    _tap_at(app, x, y)
    app.wait_for_screen("drawing")


def test_three_recipients_keep_the_header_on_one_line_and_done_on_screen(app, demo_badges):
    compose = _compose(app, demo_badges["fr"])
    done = compose.ids.header.ids.done_button
    where = done.to_window(done.x, done.y)
    chips = list(reversed(compose.ids.contact_grid.children))
    for chip in chips[:3]:
        compose.toggle(chip.key)
    app.pump(0.2)
    first = chips[0].text.split(" ")[0]
    assert compose.to_text == f"À : {first} +2"
    assert done.to_window(done.x, done.y) == where and _on_screen(done)
    assert _on_screen(compose.ids.send_button)


def test_compose_labels_who_then_what(app, demo_badges):
    compose = _compose(app, demo_badges["fr"])
    who, what = compose.ids.who_label, compose.ids.what_label
    assert (who.text, what.text) == ("À qui ?", "Votre message")
    assert who.to_window(0, who.y)[1] > what.to_window(0, what.y)[1]  # who above what


def test_a_text_message_after_a_picture_uses_the_whole_card(app, demo_badges):
    _welcome(app, demo_badges["en"])
    message = app.screen("message")
    app.router.open_message(DEMO_PICTURE_MESSAGES[0][0])
    app.wait_until(lambda: message.picture is not None, 10, "the photo")
    app.router.open_message(EN_ANNOUNCEMENT)
    app.wait_until(lambda: message.body.startswith("Reminder"), 5, "the announcement")
    app.pump(0.2)
    scroller = message.ids.scroller
    assert message.ids.picture.width == 0
    assert scroller.width > scroller.parent.width * 0.9


def test_the_inbox_buttons_cover_no_row(app, demo_badges):
    _welcome(app, demo_badges["fr"])
    app.router.open_inbox()
    inbox = app.screen("inbox")
    app.wait_until(lambda: inbox.state == "list", 5, "the inbox")
    app.pump(0.2)
    view, write = inbox.ids.list_view, inbox.ids.write_button
    assert view.to_window(view.x, view.y)[1] >= write.to_window(write.x, write.top)[1]


def test_the_storage_notice_says_what_to_do_without_technical_text(app):
    from kiosk.domain.models import BadgeOutcome, OutcomeKind

    detail = "cannot open the database /var/lib/kiosk/kiosk.sqlite3 (OperationalError)"
    app.router.deck.show_notice(BadgeOutcome(OutcomeKind.STORAGE_ERROR, detail=detail))
    app.wait_for_screen("notice")
    notice = app.screen("notice")
    shown = " ".join(w.text for w in notice.walk() if hasattr(w, "text") and w.text)
    assert "Terminal en panne" in shown and "prévenez" in shown
    assert "/var" not in shown and "Error" not in shown


def test_the_sent_list_says_who_each_message_went_to(app, demo_badges):
    _welcome(app, demo_badges["fr"])
    compose = app.screen("compose")
    app.router.compose_new()
    compose.set_text("Pièce 7 livrée")
    app.router.send_message([2, 8], [], "Pièce 7 livrée", None)
    app.wait_until(lambda: compose.notice_level == "ok", 5, "the message queued")
    app.router.open_sent()
    sent = app.screen("sent")
    app.wait_until(lambda: sent.state == "list", 5, "the sent messages")
    assert sent.rows[0]["to_text"] == "À : Jordan +1"


def test_write_on_the_welcome_screen_opens_compose_in_one_tap(app, demo_badges):
    welcome = _welcome(app, demo_badges["fr"])
    app.tap(welcome.ids.write_button)
    app.wait_for_screen("compose")
