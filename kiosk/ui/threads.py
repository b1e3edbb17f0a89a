"""The way back to Kivy's thread for results of the worker threads (core, media, camera)."""

from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock


def on_ui_thread(call: Callable[[], None]) -> None:
    """The ``deliver`` of the core worker, the reader and the photo worker: run ``call``
    on Kivy's thread.

    A "free" event (the clock is ``free_all``, see kiosk/ui/wiring/boot.py) runs as soon as
    it is scheduled instead of at the next frame: a badge read crosses two
    threads on its way to the screen, and each hop would otherwise wait for a
    frame boundary (up to 1/60 s each).
    """
    Clock.schedule_once_free(lambda _dt: call())
