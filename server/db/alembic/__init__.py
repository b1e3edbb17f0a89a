"""The Alembic environment of the server's schema: ``env.py`` and ``versions/``.

Run through ``server.db.migrations`` (``python -m server migrate``), which configures
Alembic from Python: there is no alembic.ini.
"""
