"""The console's catalogs: every string translated to French, the .mo files compiled."""

from __future__ import annotations

import pytest


def test_every_console_string_has_a_french_translation_and_the_mo_is_fresh() -> None:
    pytest.importorskip("babel")
    from server.console.catalog import problems

    assert problems() == []
