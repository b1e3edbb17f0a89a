"""A short tone when a punch is recorded, through SDL's audio (Kivy's ``SoundLoader``).

Where the terminal has no sound device (no ALSA playback device, no PulseAudio or
PipeWire socket) nothing is loaded and ``play`` does nothing, without a log line: most
terminals are silent boxes.  The tone is written and loaded once, on a thread of its
own (``punch-sound``), so the UI thread never waits on the disk or on the mixer
opening; until it is ready ``play`` does nothing.  ``terminal.punch_sound = false``
turns it off.
"""

from __future__ import annotations

import logging
import math
import os
import struct
import tempfile
import threading
import wave
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TONE_HZ, TONE_S, RATE = 880, 0.12, 22050


def audio_device_present(environ: dict[str, str] | None = None,
                         dev_snd: Path = Path("/dev/snd")) -> bool:
    """An ALSA playback device, or a PulseAudio / PipeWire server to play through."""
    env = dict(os.environ) if environ is None else environ
    if env.get("PULSE_SERVER"):
        return True
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and any((Path(runtime) / p).exists() for p in ("pulse/native", "pipewire-0")):
        return True
    return any(dev_snd.glob("pcmC*D*p"))


def write_tone(path: Path) -> None:
    """A 120 ms, 880 Hz tone with soft edges (no click), 16-bit mono WAV."""
    count = int(RATE * TONE_S)
    fade = int(RATE * 0.01)
    frames = bytearray()
    for i in range(count):
        edge = min(1.0, i / fade, (count - i) / fade)
        frames += struct.pack("<h", int(9000 * edge * math.sin(2 * math.pi * TONE_HZ * i / RATE)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))


class PunchSound:
    def __init__(self, enabled: bool) -> None:
        self._sound: Any = None
        self._loader: threading.Thread | None = None
        if enabled and audio_device_present():
            self._loader = threading.Thread(target=self._load, name="punch-sound", daemon=True)
            self._loader.start()

    def _load(self) -> None:
        from kivy.core.audio import SoundLoader

        try:
            path = Path(tempfile.mkdtemp(prefix="kiosk-sound-")) / "punch.wav"
            write_tone(path)
            sound = SoundLoader.load(str(path))
        except Exception:  # a broken sound stack must never touch punching
            log.warning("punch sound not loaded", exc_info=True)
            return
        if sound is not None and sound.length > 0:
            self._sound = sound  # one assignment: the UI thread sees it or not

    @property
    def available(self) -> bool:
        return self._sound is not None

    def wait_loaded(self, timeout: float = 5.0) -> None:
        """Tests: until the loading thread is done (at once when none was started)."""
        if self._loader is not None:
            self._loader.join(timeout)

    def play(self) -> None:
        if self._sound is not None:
            self._sound.stop()
            self._sound.play()  # SDL mixes it on its own thread: returns at once
