"""Keep the console's query strings out of the access log: a search by badge puts the
badge id in the URL (``/console/people?q=0F00...``), and badge ids are never logged."""

from __future__ import annotations

import logging

from server.console.web import PREFIX

ACCESS_LOGGER = "uvicorn.access"


class HideConsoleQueries(logging.Filter):
    """uvicorn's access records carry (client, method, path with query, version,
    status); a console path loses its query."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            if path.startswith(PREFIX) and "?" in path:
                record.args = (*args[:2], path.split("?", 1)[0] + "?…", *args[3:])
        return True


def install() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, HideConsoleQueries) for f in logger.filters):
        logger.addFilter(HideConsoleQueries())
