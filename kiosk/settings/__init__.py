"""The terminal's settings: ``kiosk.toml`` (one declared table of keys, validated at
start), the site settings the server sends, and the admin PIN hash.

Both read their rules and ranges from ``contract.site_settings``, the table the server
checks too.
"""
