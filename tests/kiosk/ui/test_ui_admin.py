"""The admin badge in the real app: PIN screen, admin screen, touch test, and its end."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from kivy.tests.common import UnitTestTouch

from kiosk.demo.company import DEMO_ADMIN_BADGE, DEMO_ADMIN_PIN
from kiosk.storage import sqlite

SESSION_TIMEOUT_S = 5  # as in conftest


def _pin_screen(app: Any) -> Any:
    app.present(DEMO_ADMIN_BADGE)
    app.wait_for_screen("admin_pin")
    return app.screen("admin_pin")


def _type(app: Any, pin_screen: Any, pin: str) -> None:
    for digit in pin:
        app.tap(pin_screen.key_for(digit))
    app.tap(pin_screen.key_for("ok"))


def _admin_screen(app: Any) -> Any:
    pin = _pin_screen(app)
    _type(app, pin, DEMO_ADMIN_PIN)
    app.wait_for_screen("admin")
    admin = app.screen("admin")
    app.wait_until(lambda: bool(admin.updated_text), 5, "the admin report")
    return admin


def _row_values(card: Any) -> dict[str, str]:
    return {row.key: row.value for row in card.rows.children}


def _queued_in_outbox(app: Any) -> int:
    path = app.shell.runtime.config.database_path
    # The terminal's SQLite library: a second one in this process would drop its locks.
    conn = sqlite.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM outbox WHERE state = 'queued'").fetchone()[0]
    finally:
        conn.close()


def _touch(app: Any, widget: Any, fx: float, fy: float) -> UnitTestTouch:
    x, y = widget.to_window(widget.x + widget.width * fx, widget.y + widget.height * fy)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    return touch


def test_an_admin_badge_asks_for_the_pin_with_a_digit_pad(app):
    pin = _pin_screen(app)
    assert pin.pad_enabled and pin.message and not pin.can_submit
    assert app.shell.runtime.station.session is None  # no worker session, no punch


def test_a_wrong_pin_says_so_and_the_right_one_opens_the_admin_screen(app):
    pin = _pin_screen(app)
    _type(app, pin, "9999")
    app.wait_until(lambda: pin.level == "warn", 5, "the wrong-PIN message")
    assert app.router.current == "admin_pin" and pin.dots == 0
    _type(app, pin, DEMO_ADMIN_PIN)
    app.wait_for_screen("admin")
    assert pin.dots == 0 and pin.message == ""  # nothing typed stays behind


def test_the_admin_screen_shows_the_reader_state_and_its_frames(app):
    admin = _admin_screen(app)
    assert admin.reader_level == "ok"
    rows = {row.key: row.value for row in admin.ids.reader_rows.children}
    assert any("em4100" in value for value in rows.values())
    # The admin badge itself is the newest frame the reader saw.
    assert "accepted" in admin.frames_text or "accept" in admin.frames_text
    assert "02 30 41 30 30 41 44 30 30 30 31" in admin.frames_text


def test_the_admin_screen_shows_the_outbox_depth(app):
    admin = _admin_screen(app)
    admin.pick("network")
    app.pump(0.1)
    values = list(_row_values(admin.ids.outbox_card).values())
    assert str(_queued_in_outbox(app)) in values


def test_the_admin_screen_counts_the_changes_set_aside(app):
    path = app.shell.runtime.config.database_path
    conn = sqlite.connect(path)
    with conn:  # what kiosk.sync.apply writes for a change it cannot apply
        conn.execute("INSERT INTO pull_quarantine (change_type, change, error, quarantined_at) "
                     "VALUES ('message', '{}', 'KeyError', '2026-01-01T00:00:00Z')")
    try:
        admin = _admin_screen(app)
        admin.pick("network")
        app.pump(0.1)
        assert _row_values(admin.ids.server_card)["Changements mis de côté"] == "1"
    finally:
        with conn:
            conn.execute("DELETE FROM pull_quarantine")
        conn.close()


def test_the_touch_test_counts_a_touch(app):
    admin = _admin_screen(app)
    app.tap(admin.ids.touch_tab)
    pad = admin.ids.touch_pad
    app.tap(pad)
    assert (pad.downs, pad.doubles) == (1, 0)
    assert admin.ids.touch_count.text == "1"


def test_the_touch_test_flags_two_downs_at_once_in_the_same_place(app):
    admin = _admin_screen(app)
    admin.pick("touch")
    app.pump(0.1)  # the panel is laid out
    pad = admin.ids.touch_pad
    first, second = _touch(app, pad, 0.5, 0.5), _touch(app, pad, 0.505, 0.5)
    first.touch_up()
    second.touch_up()
    app.pump(0.1)
    assert (pad.downs, pad.doubles) == (2, 1)


def test_the_session_timeout_wipes_the_admin_screen(app):
    admin = _admin_screen(app)
    admin.pick("touch")
    app.pump(0.1)
    app.tap(admin.ids.touch_pad)
    app.wait_for_screen("idle", timeout=SESSION_TIMEOUT_S + 3)
    assert admin.frames_text == "" and admin.ids.touch_pad.downs == 0
    assert not admin.ids.reader_rows.children and not admin.ids.outbox_card.rows.children
    assert admin.tab == "reader"


def test_the_next_badge_ends_the_admin_session(app, demo_badges):
    admin = _admin_screen(app)
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")
    assert admin.updated_text == "" and not app.shell.runtime.station.admin.unlocked


def test_done_closes_the_admin_screen(app):
    admin = _admin_screen(app)
    app.tap(admin.ids.done_button)
    app.wait_for_screen("idle")
    assert app.shell.runtime.station.admin.session is None


def test_cancel_leaves_the_pin_screen(app):
    pin = _pin_screen(app)
    app.tap(pin.key_for("1"))
    app.tap(pin.ids.cancel_button)
    app.wait_for_screen("idle")
    assert pin.dots == 0


def test_the_admin_badge_and_pin_never_reach_the_log(app, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    _admin_screen(app)
    assert DEMO_ADMIN_BADGE not in caplog.text and "02 30 41" not in caplog.text
    assert "PIN" in caplog.text  # the router says a PIN was asked, not which
    assert f"'{DEMO_ADMIN_PIN}'" not in caplog.text
