"""Wiring of the Kivy front end: kv rules, screens, router, runtime, clock and touches.

Kept out of the App class so that the app stays small and the wiring can be
read top to bottom: config -> screens (the deck, the station's view) -> runtime
(core worker, media worker, station, badge reader) -> the router, built with the
station -> a 1 s tick and a touch hook.
"""

from __future__ import annotations

import importlib
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder

from kiosk.app.runtime import TerminalRuntime
from kiosk.settings.config import Config
from kiosk.sync.status import SyncStatus
from kiosk.ui.screens.idle import IdleScreen
from kiosk.ui.theme import theme
from kiosk.ui.threads import on_ui_thread
from kiosk.ui.widgets import common  # noqa: F401  (widget classes used by the .kv rules)
from kiosk.ui.widgets.clipping import DeckManager
from kiosk.ui.widgets.punch_sound import PunchSound
from kiosk.ui.widgets.status import TerminalStatus
from kiosk.ui.wiring.router import Router
from kiosk.ui.wiring.screen_deck import (
    ADMIN,
    ADMIN_PIN,
    CAMERA,
    COMPOSE,
    DRAWING,
    IDLE,
    INBOX,
    MESSAGE,
    NOTICE,
    PICTURE,
    SENT,
    WELCOME,
    ScreenDeck,
)

log = logging.getLogger(__name__)

UI_DIR = Path(__file__).resolve().parent.parent  # kiosk/ui: .kv paths below are relative to it
# The rules every screen uses, and the idle screen's: loaded before the first frame.
KV_FILES = ("theme.kv", "widgets/common.kv", "screens/idle.kv")

# (module, class, its .kv rules) of the other screens.  PREBUILT ones are built right
# after the first frame, one per frame, so that a badge finds its screens ready; the
# ON_DEMAND ones on first use only: rarely shown, and their modules bring Pillow, the
# sketch renderer or the camera, which a terminal that never uses them need not load.
Spec = tuple[str, str, tuple[str, ...]]
PREBUILT: dict[str, Spec] = {
    WELCOME: ("kiosk.ui.screens.welcome", "WelcomeScreen", ("screens/welcome.kv",)),
    NOTICE: ("kiosk.ui.screens.notice", "NoticeScreen", ("screens/notice.kv",)),
    INBOX: ("kiosk.ui.screens.inbox", "InboxScreen", ("screens/inbox.kv",)),
    MESSAGE: ("kiosk.ui.screens.message", "MessageScreen", ("screens/message.kv",)),
    COMPOSE: ("kiosk.ui.screens.compose", "ComposeScreen",
              ("widgets/keyboard.kv", "screens/compose.kv")),
}
ON_DEMAND: dict[str, Spec] = {
    PICTURE: ("kiosk.ui.screens.picture", "PictureScreen", ("screens/picture.kv",)),
    SENT: ("kiosk.ui.screens.sent", "SentScreen", ("screens/sent.kv",)),
    DRAWING: ("kiosk.ui.screens.drawing", "DrawingScreen", ("screens/drawing.kv",)),
    CAMERA: ("kiosk.ui.screens.camera", "CameraScreen", ("screens/camera.kv",)),
    ADMIN_PIN: ("kiosk.ui.screens.pin", "PinScreen", ("screens/pin.kv",)),
    ADMIN: ("kiosk.ui.screens.admin", "AdminScreen", ("screens/admin.kv",)),
}


def load_rules(names: tuple[str, ...] = KV_FILES) -> None:
    """Load .kv files, each once per process."""
    for name in names:
        path = str(UI_DIR / name)
        if path not in Builder.files:
            Builder.load_file(path)


def screen_factory(name: str, spec: Spec, **kwargs: Any) -> Callable[[], Any]:
    """Builds screen ``name``: its module imported and its rules loaded only then."""
    module, class_name, rules = spec

    def build() -> Any:
        screen_class = getattr(importlib.import_module(module), class_name)
        load_rules(rules)
        return screen_class(name=name, **kwargs)

    return build


def _clear_to_bg(*_: Any) -> None:
    Window.clearcolor = theme.bg


class Shell:
    def __init__(self, config: Config, idle_language: str | None = None) -> None:
        load_rules()
        theme.use(config["display.theme"])  # before any screen is built
        theme.dpi = int(config["display.dpi"])
        theme.fit(*Window.size)
        # The window's clear colour is every screen's background: no screen paints a
        # full-window rectangle of its own (a software renderer pays for each pixel).
        Window.clearcolor = theme.bg
        theme.fbind("bg", _clear_to_bg)
        self.status = TerminalStatus()
        self.manager = DeckManager()
        self.manager.add_widget(
            IdleScreen(name=IDLE, site_name=config["terminal.site_name"],
                       terminal_name=config["terminal.name"], status=self.status)
        )
        extra = {CAMERA: {"source": config["camera.source"], "index": config["camera.index"]}}
        self.deck = ScreenDeck(
            self.manager, self.status,
            idle_language or config["terminal.language"], float(config["terminal.notice_s"]),
            factories={name: screen_factory(name, spec) for name, spec in PREBUILT.items()},
            on_demand={
                name: screen_factory(name, spec, **extra.get(name, {}))
                for name, spec in ON_DEMAND.items()
            },
        )
        # The deck is the station's view; the router is built with the station.
        self.runtime = TerminalRuntime(
            config, self.deck, on_ui_thread,
            on_reader_status=self.status.set_reader,
            on_storage_status=self.status.set_storage,
            on_settings=self.deck.apply_settings,
        )
        self.deck.settings = self.runtime.settings
        self.deck.use_theme()  # the site's theme, when the server set one (before a frame)
        self.deck.punch_sound = PunchSound(bool(config["terminal.punch_sound"]))
        self.router = Router(self.deck, self.runtime.station)
        self._config = config
        self._ticker: Any = None
        self._watchdog: Any = None
        self._sync: Any = None

    @property
    def root(self) -> DeckManager:
        return self.manager

    def start(self) -> None:
        Window.bind(size=self._resized, on_touch_down=self._touched)
        self.manager.bind(current=self._screen_changed)
        # The threads (reader, core worker and its database, sync) start right after
        # the first frame: the idle screen shows at once, and their imports and
        # start-up do not compete with the window for the one Python thread at a time.
        Window.bind(on_flip=self._first_frame)
        self._ticker = Clock.schedule_interval(self._tick, 1.0)

    def _first_frame(self, *_: Any) -> None:
        Window.unbind(on_flip=self._first_frame)
        Clock.schedule_once_free(lambda _dt: self._start_threads())

    def _start_threads(self) -> None:
        self.runtime.start()
        self._watchdog_start()
        Clock.schedule_once(self._build_screens, 0.2)
        from kiosk.app.sync_link import start_sync  # loads the HTTP stack only now

        self._sync = start_sync(self._config, self.runtime.worker, self._sync_status_elsewhere,
                                reader_figures=self.runtime.reader_figures)

    def _watchdog_start(self) -> None:
        """Tell systemd we are up, then keep feeding its watchdog from this (UI) thread:
        a frozen screen stops the feeding and systemd restarts the terminal."""
        from kiosk.app.watchdog import notifier

        notify = notifier()
        notify.ready()
        interval = notify.watchdog_interval_s()
        if interval is not None:
            self._watchdog = Clock.schedule_interval(lambda _dt: notify.watchdog(), interval)

    def _build_screens(self, _dt: float) -> None:
        """One screen per frame, so that no frame waits for all of them."""
        if self.deck.build_next():
            Clock.schedule_once(self._build_screens, 0)

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        if self._watchdog is not None:
            self._watchdog.cancel()
            from kiosk.app.watchdog import notifier

            notifier().stopping()
        Window.unbind(size=self._resized, on_touch_down=self._touched)
        if self._sync is not None:
            self._sync.stop()
        self.runtime.stop()

    def _sync_status_elsewhere(self, status: SyncStatus) -> None:
        """Called on the sync thread (or here, at start): hop to Kivy's thread."""
        warn_after = float(self._config["server.clock_warning_s"])
        self.runtime.sync_history.record(status)  # for the admin screen (thread-safe)
        on_ui_thread(lambda: self.status.set_sync(status, warn_after))

    def _tick(self, _dt: float) -> None:
        station = self.runtime.station
        # Ends a session left idle (the station shows idle); prunes expired messages when due.
        self.runtime.tick()
        if self.manager.has_screen(WELCOME):
            self.manager.get_screen(WELCOME).tick()
        session = station.session or station.admin.session
        left = math.ceil(session.seconds_left(time.monotonic())) if session else 0
        self.manager.current_screen.session_left = left

    def _touched(self, *_: Any) -> None:
        self.router.touched()  # any touch keeps the session alive; never consumes it

    def _resized(self, _window: Any, size: tuple[int, int]) -> None:
        theme.fit(*size)

    def _screen_changed(self, _manager: Any, name: str) -> None:
        if name == IDLE and self.status.storage_level == "error":
            self.runtime.check_storage()  # recovers once site IT fixed the folder
