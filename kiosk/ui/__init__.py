"""The Kivy screens of the terminal: a thin layer that shows the core and forwards touches to it.

Import ``kiosk.ui.wiring.boot`` (``configure_kivy``) before anything else in this package:
Kivy reads its window settings once, when its window module is first imported.
"""
