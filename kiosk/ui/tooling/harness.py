"""Drive the real app without a person: step its event loop, touch buttons, grab frames.

Used by ``kiosk tour`` and the UI tests.  The app is the real one (same
wiring, same threads, same virtual reader on a pty); only the main loop is
stepped from here instead of ``App.run()``, so a script can wait for a screen.
Badges go through the virtual reader's pty; touches are Kivy touch events.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from kivy.base import EventLoop, _runTouchApp_prepare
from kivy.core.window import Window
from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
from kivy.uix.label import Label
from kivy.uix.widget import Widget
from PIL import Image

from kiosk.ui.wiring.app import KioskApp


class Harness:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.started = False

    # Life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        self.app._run_prepare()  # what App.run() does before its loop: build, window, on_start
        _runTouchApp_prepare()
        self.started = True
        self.pump(0.3)

    def stop(self) -> None:
        if self.started:
            self.app.stop()
            self.started = False

    @property
    def shell(self) -> Any:
        return self.app.shell

    @property
    def router(self) -> Any:
        return self.app.shell.router

    def lock_messages(self, locked: bool = True) -> None:
        """Play a terminal whose message cache has no key (the server not reached since it
        started): the store is marked split and the core reopens it without a key, so
        badges say messages are locked (``kiosk.storage.cache``); ``False`` undoes it."""
        from kiosk.storage import open_database, transaction

        db = open_database(self.shell.runtime.config.database_path)
        try:
            with transaction(db) as conn:
                conn.execute("DELETE FROM sync_state WHERE key = 'cache_layout'")
                if locked:
                    conn.execute("INSERT INTO sync_state (key, value) "
                                 "VALUES ('cache_layout', 'encrypted')")
        finally:
            db.conn.close()
        done: list[bool] = []
        self.shell.runtime.worker.reopen(done.append)
        self.wait_until(lambda: done == [locked], 10, "the message cache (un)locked")

    # Time ------------------------------------------------------------------------------

    def pump(self, seconds: float = 0.0) -> None:
        """Run the app's loop for ``seconds`` (at least one frame)."""
        end = time.monotonic() + seconds
        while True:
            EventLoop.idle()
            if time.monotonic() >= end:
                return

    def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = ""
    ) -> None:
        end = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > end:
                raise TimeoutError(f"timed out waiting for {what or predicate}")
            EventLoop.idle()
        self.pump(0.05)  # let bindings and coalesced redraws settle

    def wait_for_screen(self, name: str, timeout: float = 5.0) -> None:
        self.wait_until(lambda: self.router.current == name, timeout, f"screen {name!r}")

    # Input -------------------------------------------------------------------------------

    def present(self, badge: str) -> None:
        """Present a badge to the virtual reader: real frames on its pty."""
        reader = self.shell.runtime.virtual_reader
        if reader is None:
            raise RuntimeError("the tour and tests need reader.protocol = 'virtual'")
        reader.present(badge)

    def tap(self, widget: Widget) -> None:
        """A finger down and up on the middle of ``widget``."""
        from kivy.tests.common import UnitTestTouch  # imports pytest: only when driving

        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(0.05)
        touch.touch_up()
        self.pump(0.1)

    # Output ---------------------------------------------------------------------------------

    def screenshot(self) -> Image.Image:
        """The next frame as drawn on screen (read back in on_flip, where pixels are real)."""
        grabbed: list[Image.Image] = []

        def grab(*_: Any) -> None:
            width, height = Window.size
            data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
            image = Image.frombytes("RGBA", (width, height), data)
            grabbed.append(image.transpose(Image.Transpose.FLIP_TOP_BOTTOM).convert("RGB"))

        Window.bind(on_flip=grab)
        try:
            Window.canvas.ask_update()
            self.wait_until(lambda: bool(grabbed), 5.0, "a frame")
        finally:
            Window.unbind(on_flip=grab)
        return grabbed[0]

    def screen(self, name: str) -> Any:
        return self.router.screen(name)


def walk(widget: Widget) -> Iterator[Widget]:
    yield widget
    for child in widget.children:
        yield from walk(child)


def all_texts(widgets: list[Widget]) -> list[str]:
    """Every label text under ``widgets`` (screens not shown included, if given)."""
    return [w.text for root in widgets for w in walk(root) if isinstance(w, Label) and w.text]
