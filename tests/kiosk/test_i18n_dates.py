"""Dates and times as the screens write them, in French and English."""

from datetime import date, datetime, timedelta

from kiosk.i18n import format_long_date, format_when

NOW = datetime(2026, 11, 27, 15, 0).astimezone()


def test_the_idle_date_in_french_is_capitalised():
    assert format_long_date(date(2026, 11, 27), "fr") == "Vendredi 27 novembre 2026"


def test_the_idle_date_in_english():
    assert format_long_date(date(2026, 11, 27), "en") == "Friday, November 27, 2026"


def test_an_unknown_language_falls_back_to_english():
    assert format_long_date(date(2026, 8, 3), "de") == "Monday, August 3, 2026"


def test_a_message_from_today_shows_its_time_only():
    assert format_when(NOW - timedelta(hours=1), NOW, "fr") == "14:00"


def test_a_message_from_this_week_shows_the_short_weekday():
    assert format_when(NOW - timedelta(days=3), NOW, "fr") == "Mar 15:00"
    assert format_when(NOW - timedelta(days=3), NOW, "en") == "Tue 15:00"


def test_an_older_message_shows_day_and_month():
    assert format_when(NOW - timedelta(days=30), NOW, "fr") == "28 oct"
    assert format_when(NOW - timedelta(days=30), NOW, "en") == "28 Oct"
