"""``kiosk tour --check`` sees what a finger and an eye see: each fault it must catch, staged
with real Kivy widgets laid over the running app's window (and taken away after)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kivy.core.window import Window
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from PIL import Image

from kiosk.ui.tooling.finger_check import contrast_ratio, finger_problems, text_problems

DPI = 133  # a 7-inch 800x480 panel


@pytest.fixture
def stage(app: Any) -> Iterator[FloatLayout]:
    """An empty layer over the whole window, on top of the app's screens."""
    layer = FloatLayout()
    Window.add_widget(layer)
    app.pump(0.05)
    yield layer
    Window.remove_widget(layer)


def _button(stage: FloatLayout, app: Any, **kwargs: Any) -> Button:
    button = Button(size_hint=(None, None), **kwargs)
    stage.add_widget(button)
    app.pump(0.05)
    return button


def test_a_hidden_disabled_button_swallowing_touches_is_reported(app, stage):
    _button(stage, app, text="Dessin", pos=(10, 10), size=(200, 80))
    _button(stage, app, text="", pos=(110, 10), size=(100, 80), opacity=0, disabled=True)
    problems = finger_problems(stage, DPI)
    assert any("'Dessin': a touch at its lower right" in p and "still takes touches" in p
               for p in problems), problems


def test_a_target_every_touch_reaches_passes(app, stage):
    _button(stage, app, text="OK", pos=(10, 10), size=(200, 80))
    assert finger_problems(stage, DPI) == []


def test_a_target_off_the_window_is_reported(app, stage):
    _button(stage, app, text="Terminé", pos=(Window.width - 100, 10), size=(200, 80))
    assert any("not fully on screen" in p for p in finger_problems(stage, DPI))


def test_overlapping_targets_are_reported(app, stage):
    _button(stage, app, text="A", pos=(10, 10), size=(200, 80))
    _button(stage, app, text="B", pos=(150, 40), size=(200, 80))
    assert any("overlap" in p for p in finger_problems(stage, DPI))


def _label(stage: FloatLayout, app: Any, text: str, **kwargs: Any) -> Label:
    label = Label(text=text, size_hint=(None, None), **kwargs)
    stage.add_widget(label)
    app.pump(0.05)
    return label


def test_a_label_cut_with_an_ellipsis_is_reported_unless_allowed(app, stage):
    long = "Rappel : la visite médicale annuelle a lieu jeudi de 9 h à 12 h en salle B."
    label = _label(stage, app, long, pos=(10, 10), size=(150, 30), shorten=True,
                   text_size=(150, 30))
    assert any("cut with" in p for p in text_problems(stage, "fr"))
    label.may_shorten = True
    assert not any("cut with" in p for p in text_problems(stage, "fr"))


@pytest.mark.parametrize("text", [
    "cannot open /var/lib/kiosk/kiosk.sqlite3 for writing",
    "OperationalError: unable to open database file",
])
def test_technical_text_on_a_worker_screen_is_reported(app, stage, text):
    _label(stage, app, text, pos=(10, 10), size=(700, 40))
    assert any("technical text" in p for p in text_problems(stage, "fr"))
    assert not any("technical text" in p for p in text_problems(stage, "fr",
                                                                worker_screen=False))


def test_catalog_english_in_a_french_session_is_reported(app, stage):
    _label(stage, app, "Closing in 7 s", pos=(10, 10), size=(300, 40))
    assert any("English in a French session" in p for p in text_problems(stage, "fr"))
    assert not any("English" in p for p in text_problems(stage, "en"))


def test_low_contrast_text_is_reported_from_the_screenshot(app, stage):
    _label(stage, app, "Pointage", pos=(10, 10), size=(200, 40), font_size=16,
           color=(0.35, 0.35, 0.35, 1))
    dark = Image.new("RGB", Window.size, (20, 20, 20))
    assert any("contrast" in p for p in text_problems(stage, "fr", dark))
    light = Image.new("RGB", Window.size, (250, 250, 250))
    assert not any("contrast" in p for p in text_problems(stage, "fr", light))


def test_contrast_ratio_follows_wcag():
    assert round(contrast_ratio((1, 1, 1), (0, 0, 0)), 1) == 21.0
    assert round(contrast_ratio((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)), 1) == 1.0
