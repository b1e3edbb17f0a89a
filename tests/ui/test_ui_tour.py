"""``kiosk tour`` at 1280x800 (the in-process tests cover 800x480): every screen, both languages.

The tour is the real app in its own process (another window size), including
the database that cannot be opened; it fails if any screen does not appear.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ("idle", "welcome", "inbox", "message", "message-ack", "compose-pick", "compose",
           "notice-unknown", "notice-disabled",
           "idle-reader-fault", "idle-storage", "notice-storage")


def test_tour_saves_every_screen_in_both_languages(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "tour", "--out", str(tmp_path), "--size", "1280x800"],
        cwd=ROOT, capture_output=True, text=True, timeout=150, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for screen in SCREENS:
        images = {}
        for lang in ("fr", "en"):
            path = tmp_path / f"{screen}-{lang}-1280x800.png"
            assert path.exists(), path.name
            image = Image.open(path).convert("RGB")
            assert image.size == (1280, 800)
            assert ImageStat.Stat(image.convert("L")).stddev[0] > 8, f"{path.name} is blank"
            images[lang] = image
        # French and English differ (the clock aside, the texts are not the same).
        assert ImageChops.difference(images["fr"], images["en"]).getbbox() is not None, screen
