"""Storage: SQLAlchemy Core schema, migrations and the Database handle."""

from server.db.engine import Database, url_from_path

__all__ = ["Database", "url_from_path"]
