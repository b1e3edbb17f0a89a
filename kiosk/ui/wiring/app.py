"""The Kivy application: builds the shell on start, stops its threads on exit."""

from __future__ import annotations

from kivy.app import App

from kiosk.settings.config import Config
from kiosk.ui.wiring.shell import Shell


class KioskApp(App):
    title = "Kiosk terminal"

    def __init__(self, terminal_config: Config, idle_language: str | None = None) -> None:
        super().__init__()
        self.terminal_config = terminal_config
        self.idle_language = idle_language
        self.shell: Shell | None = None

    def build(self) -> object:
        self.shell = Shell(self.terminal_config, self.idle_language)
        return self.shell.root

    def on_start(self) -> None:
        if self.shell is not None:
            self.shell.start()

    def on_stop(self) -> None:
        if self.shell is not None:
            self.shell.stop()
