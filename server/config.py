"""Server limits and timings, with defaults that suit a factory."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSettings:
    max_json_bytes: int = 2 * 1024 * 1024
    max_attachment_bytes: int = 8 * 1024 * 1024
    # How often the server looks for changes committed by other processes (the
    # admin CLI) to wake long-polls; changes made through the server wake them at once.
    watch_interval: float = 1.0
    # How often expired messages and unused attachments are deleted (also once at start).
    prune_interval: float = 600.0
