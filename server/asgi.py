"""The app for ``serve --workers N``: each worker process builds it from the environment.

uvicorn starts worker processes itself and imports the app in each, so what ``serve``
was told (the database and the settings) travels in one environment variable, as
JSON.  One worker (the default) does not use this: ``serve`` builds the app directly.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import threading
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from server.app import create_app
from server.config import ServerSettings
from server.notify import close_every_notifier

ENV = "KIOSK_SERVE_CONFIG"


def encode(db_url: str, settings: ServerSettings, log_level: str = "info") -> str:
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        fields[field.name] = ({"seconds": value.total_seconds()}
                              if isinstance(value, timedelta) else value)
    return json.dumps({"db": db_url, "settings": fields, "log_level": log_level})


def decode(text: str) -> tuple[str, ServerSettings]:
    data = json.loads(text)
    data["settings"].pop("log_level", None)
    values = {name: timedelta(seconds=value["seconds"]) if isinstance(value, dict) else value
              for name, value in data["settings"].items()}
    return data["db"], ServerSettings(**values)


def app_from_environment() -> FastAPI:
    """uvicorn's app factory in each worker process."""
    db_url, settings = decode(os.environ[ENV])
    # A spawned worker starts with no logging set up: the same as the parent's.
    logging.basicConfig(level=json.loads(os.environ[ENV]).get("log_level", "info").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _release_long_polls_on_exit()
    return create_app(db_url, settings)


def _release_long_polls_on_exit() -> None:
    """A worker asked to stop answers its held long-polls at once (as the one-process
    server does, ``server.serving``): uvicorn waits for open requests before shutting
    the app down, and a long-poll would hold it up to 25 s.  uvicorn has installed its
    own handlers when it builds the app; this runs before them."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue

        def handler(signum: int, frame: Any, previous: Any = previous) -> None:
            close_every_notifier()
            previous(signum, frame)

        signal.signal(sig, handler)
