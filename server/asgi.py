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


def _plain(value: Any) -> Any:
    """JSON-ready: nested settings become objects, durations {"__seconds__": s}."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, timedelta):
        return {"__seconds__": value.total_seconds()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _rebuilt(plain: Any, default: Any) -> Any:
    """``plain`` made again into what ``default`` (the field's default value) is."""
    if isinstance(plain, dict) and "__seconds__" in plain:
        return timedelta(seconds=plain["__seconds__"])
    if dataclasses.is_dataclass(default) and isinstance(plain, dict):
        return type(default)(**{
            f.name: _rebuilt(plain[f.name], getattr(default, f.name))
            for f in dataclasses.fields(default) if f.name in plain})
    if isinstance(default, tuple) and isinstance(plain, list):
        return tuple(plain)
    return plain


def encode(db_url: str, settings: ServerSettings, log_level: str = "info") -> str:
    return json.dumps({"db": db_url, "settings": _plain(settings), "log_level": log_level})


def decode(text: str) -> tuple[str, ServerSettings]:
    data = json.loads(text)
    return data["db"], _rebuilt(data["settings"], ServerSettings())


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
