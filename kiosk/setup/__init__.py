"""``kiosk setup``: from an installed package to an enrolled, running terminal in one
command.  It finds the badge reader (listening while the installer presents a badge),
the touchscreen and the display size, writes the configuration, enrolls, runs the
doctor, and enables the service; each step says what it found or what to do.
"""
