"""Catalogs: compiled .mo files match their .po, and every string of the screens is in French."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from kiosk.i18n import format_when, translator

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def i18n_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_mo_is_up_to_date_with_its_po(i18n_tool):
    for lang in i18n_tool.LANGUAGES:
        assert i18n_tool.compiled_mo(lang) == i18n_tool.compiled_po(lang), (
            f"locale/{lang}: run python tools/i18n.py compile"
        )


def test_every_string_of_the_screens_has_a_french_translation(i18n_tool):
    used = [m.id for m in i18n_tool.extract_template() if m.id]
    assert len(used) > 30  # the extraction found the .py and the .kv strings
    assert i18n_tool.problems() == []


def test_translators():
    assert translator("fr").gettext("Present your badge") == "Présentez votre badge"
    assert translator("en").gettext("Present your badge") == "Present your badge"
    assert translator("de").gettext("Present your badge") == "Present your badge"
    assert translator("fr").ngettext("new message", "new messages", 2) == "nouveaux messages"


def test_message_times():
    now = datetime(2025, 11, 27, 15, 0, tzinfo=UTC)
    assert format_when(now - timedelta(hours=1), now, "fr") == format_when(
        now - timedelta(hours=1), now, "en"
    )
    assert format_when(now - timedelta(days=1), now, "fr").startswith("Hier ")
    assert format_when(now - timedelta(days=1), now, "en").startswith("Yesterday ")
