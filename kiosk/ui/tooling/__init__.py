"""Developer tooling: the screen tour, its harness and the layout check.  They need a
source checkout; the bundle leaves this package out as a whole (``kiosk.spec``).
"""
