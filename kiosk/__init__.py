"""Time-clock messaging terminal: the core (config, storage, domain, entry points).

Nothing in this package imports Kivy; the screens in ``kiosk/ui/`` show what it returns.
"""

__version__ = "0.1.0"
