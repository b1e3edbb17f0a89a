"""Central server of the time-clock messaging terminals.

Importing this package stays cheap: ``server.protocol`` (the wire models) must be
usable by the terminal's tests without FastAPI or SQLAlchemy installed, so nothing
heavy is imported here. Use ``server.app.create_app`` or
``server.embedded.start_embedded_server``.
"""

__version__ = "0.1.0"
