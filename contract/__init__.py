"""What the terminal and the server must agree on, written once.

A package of plain values and pure functions that imports nothing of the project
(and nothing outside the standard library): the terminal (``kiosk``, ``badge_reader``),
the server and the drawing model (``sketch``) all read it, and the import
contracts in pyproject.toml keep it at the bottom.

- ``contract.protocol``: the sync protocol's version, header and error codes.
- ``contract.languages``: the languages a terminal speaks.
- ``contract.site_settings``: the site settings' rules and ranges (the server checks an
  admin's value with them; the terminal checks its config and the pulled values).
- ``contract.pin``: the admin PIN's hash format.
- ``contract.drawing``: the limits of a finger drawing.
- ``contract.backoff``: how long every retry waits (sync, reader reconnects, downloads).
"""
