"""Reading the server's answer to a push: which items are on the server, which were
refused for good, and which stay queued.

An item leaves the queue only on a clear word: ``accepted``, a ``duplicate`` of an
accepted item (sent), or a ``rejected`` (or a duplicate of a rejected item) whose
error code is one of the protocol's (refused for good, kept for the status screen).
Everything else keeps it queued: ``deferred`` (after ``retry_after_s``), a status or
code this terminal does not know (a newer server, a proxy rewriting answers), an item
the answer does not mention.  Kept items cost a later try, never a lost punch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.sync.protocol import LATER_CODES, MAX_RETRY_AFTER_S, PROTOCOL_CODES, number


@dataclass
class Verdicts:
    sent: list[str] = field(default_factory=list)
    rejected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (id, error)
    kept: list[str] = field(default_factory=list)
    retry_after_s: float | None = None  # the longest wait a deferred item asked for
    # What could not be understood, e.g. "status 'parked'": how many items it kept.
    puzzles: Counter[str] = field(default_factory=Counter)

    def keep(self, item_id: str, puzzle: str | None = None,
              retry_after_s: float | None = None) -> None:
        self.kept.append(item_id)
        if puzzle is not None:
            self.puzzles[puzzle] += 1
        if retry_after_s is not None:
            wait = min(retry_after_s, MAX_RETRY_AFTER_S)
            self.retry_after_s = max(self.retry_after_s or 0.0, wait)


def _shown(value: object) -> str:
    """A value from the answer, short enough for a log line."""
    return repr(value)[:40]


def judge(item_ids: Sequence[str], results: list[dict[str, Any]]) -> Verdicts:
    """The verdict on each of ``item_ids`` (the batch, in order) from ``results``."""
    by_id: dict[str, dict[str, Any]] = {}
    for result in results:
        result_id = result.get("id")
        if isinstance(result_id, str):
            by_id.setdefault(result_id.lower(), result)
    verdicts = Verdicts()
    for item_id in item_ids:
        result = by_id.get(item_id.lower())
        if result is None:
            verdicts.keep(item_id, "no result for the item")
            continue
        status = result.get("status")
        if status == "accepted":
            verdicts.sent.append(item_id)
        elif status == "duplicate":
            original = result.get("original_status")
            if original == "accepted":
                verdicts.sent.append(item_id)
            elif original == "rejected":
                _refused(verdicts, item_id, result.get("error"))
            else:
                verdicts.keep(item_id, f"duplicate with original_status {_shown(original)}")
        elif status == "rejected":
            _refused(verdicts, item_id, result.get("error"))
        elif status == "deferred":
            verdicts.keep(item_id, retry_after_s=_retry_after(result.get("error")))
        else:
            verdicts.keep(item_id, f"status {_shown(status)}")
    return verdicts


def _refused(verdicts: Verdicts, item_id: str, error: object) -> None:
    code = error.get("code") if isinstance(error, dict) else None
    if not isinstance(code, str) or code not in PROTOCOL_CODES:
        verdicts.keep(item_id, f"rejection code {_shown(code)}")
    elif code in LATER_CODES:  # "no, not now": the same as deferred
        verdicts.keep(item_id, retry_after_s=_retry_after(error))
    else:
        assert isinstance(error, dict)
        verdicts.rejected.append((item_id, error))


def _retry_after(error: object) -> float | None:
    value = number(error.get("retry_after_s")) if isinstance(error, dict) else None
    return None if value is None else max(0.0, value)
