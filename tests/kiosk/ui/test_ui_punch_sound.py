"""The punch tone: played through SDL's audio where a sound device exists, skipped where not."""

from __future__ import annotations

import wave

from kiosk.ui.widgets.punch_sound import PunchSound, audio_device_present, write_tone


def test_turned_off_it_loads_nothing_and_plays_nothing():
    sound = PunchSound(enabled=False)
    sound.wait_loaded()
    assert not sound.available
    sound.play()  # nothing to play: no error


def test_without_a_sound_device_a_punch_still_shows_the_welcome(app, demo_badges):
    if audio_device_present():
        return  # (this machine has one: the case is the other test's)
    assert not app.router.deck.punch_sound.available
    app.present(demo_badges["fr"])
    app.wait_for_screen("welcome")


def test_a_sound_server_socket_is_a_device_and_its_absence_is_none(tmp_path):
    env, no_alsa = {"XDG_RUNTIME_DIR": str(tmp_path)}, tmp_path / "snd"
    assert not audio_device_present(env, no_alsa)
    (tmp_path / "pulse").mkdir()
    (tmp_path / "pulse" / "native").touch()
    assert audio_device_present(env, no_alsa)


def test_an_alsa_playback_device_is_a_device(tmp_path):
    (tmp_path / "pcmC0D0p").touch()
    assert audio_device_present({}, tmp_path)


def test_the_tone_is_a_short_mono_wav(tmp_path):
    path = tmp_path / "punch.wav"
    write_tone(path)
    with wave.open(str(path)) as tone:
        assert (tone.getnchannels(), tone.getsampwidth()) == (1, 2)
        assert 0.1 <= tone.getnframes() / tone.getframerate() <= 0.2
