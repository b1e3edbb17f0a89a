"""``kiosk tour --check`` at 800x480 and 1280x800, dark and light: every screen, both languages,
laid out right.

The tour is the real app in its own process (one window size each), including
the database that cannot be opened; it fails if any screen does not appear, if
a touch target is under 9 mm at the panel's density (a 7-inch panel at 800x480,
a 10.1-inch one at 1280x800), off the window, overlapping another, or does not
get a real touch at its centre and inset corners, if a label's text overflows
or is cut with "…" (previews aside), if a worker screen shows a path, an
exception name or catalog English in French, or if text contrast is under WCAG AA.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

ROOT = Path(__file__).resolve().parents[3]
SCREENS = ("idle", "welcome", "inbox", "message", "message-ack", "compose-pick", "compose",
           "message-photo", "message-drawing", "picture", "sent", "message-undo",
           "notice-unknown", "notice-disabled", "inbox-locked", "message-locked", "compose-locked",
           "idle-reader-fault", "idle-storage", "notice-storage")


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("size", ["800x480", "1280x800"])
def test_tour_shows_every_screen_in_both_languages_with_a_sound_layout(tmp_path, size, theme):
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "tour", "--out", str(tmp_path), "--size", size,
         "--theme", theme, "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=400, check=False,
    )
    layout = [line for line in result.stdout.splitlines() if line.startswith("LAYOUT")]
    assert not layout, "\n".join(layout)
    assert result.returncode == 0, result.stderr[-3000:]
    width, height = (int(n) for n in size.split("x"))
    for screen in SCREENS:
        images = {}
        for lang in ("fr", "en"):
            path = tmp_path / f"{screen}-{lang}-{size}{'' if theme == 'dark' else '-light'}.png"
            assert path.exists(), path.name
            image = Image.open(path).convert("RGB")
            assert image.size == (width, height)
            assert ImageStat.Stat(image.convert("L")).stddev[0] > 8, f"{path.name} is blank"
            images[lang] = image
        # French and English differ (the clock aside, the texts are not the same).
        assert ImageChops.difference(images["fr"], images["en"]).getbbox() is not None, screen
