"""uvicorn's server as ``python -m server serve`` runs it, in one process or in each worker."""

from __future__ import annotations

from types import FrameType

import uvicorn

from server.notify import close_every_notifier


class LongPollServer(uvicorn.Server):
    """uvicorn's server, answering held long-polls at once when asked to stop: uvicorn
    waits for open requests before shutting the app down, and a long-poll would hold it
    up to 25 s.  Module-level so that ``--workers`` can start it in each process."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        close_every_notifier()
        super().handle_exit(sig, frame)
