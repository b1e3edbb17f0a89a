"""The baseline for the start-up and memory benchmarks: a bare Kivy hello-world.

Prints ``ready`` at its first drawn frame, then, ``--hold`` seconds later, its
resident memory as ``rss <kB>``, and exits.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=2.0)
    parser.add_argument("--size", default="800x480")
    args = parser.parse_args()
    width, height = args.size.split("x")
    from kivy.config import Config

    Config.set("graphics", "width", width)
    Config.set("graphics", "height", height)
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.label import Label

    class Hello(App):
        def build(self) -> Label:
            return Label(text="Hello, world", font_size=48)

        def on_start(self) -> None:
            Window.bind(on_flip=self._first_frame)

        def _first_frame(self, *_: object) -> None:
            Window.unbind(on_flip=self._first_frame)
            print("ready", flush=True)
            Clock.schedule_once(self._report, args.hold)

        def _report(self, _dt: float) -> None:
            print(f"rss {rss_kb()}", flush=True)
            self.stop()

    Hello().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
