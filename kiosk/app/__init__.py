"""The running terminal: the runtime that starts and stops its threads, the core worker
and the media worker, the station (badges and touches become sessions, on the UI thread),
the link to the sync, and systemd's watchdog.

Above the domain, sync, badge reader and doctor; below only the screens and the CLI.
"""
