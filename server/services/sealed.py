"""Sealed push payloads and uploads (``contract.sealing``), opened with the server's key.

A terminal seals a message's payload at enqueue time: on the wire it is
``{"sealed": "<base64url box>"}``, bound to its item's id and kind. Opened here, before
anything else reads the items, it becomes the plain payload the rest of the push
handles as before; a box that does not open stays as it is, and ``push._parse``
rejects that item alone. Older terminals push plain payloads: they pass untouched.
"""

from __future__ import annotations

import json

from contract.sealing import (
    SealError,
    attachment_context,
    decode_box,
    item_context,
    open_box,
)
from server.protocol.push import PushItem

SEALED = "sealed"


def is_sealed(payload: dict) -> bool:
    return set(payload) == {SEALED}


def open_items(items: list[PushItem], private_key: bytes) -> list[PushItem]:
    """``items`` with each sealed payload replaced by what it holds (if it opens)."""
    opened = []
    for item in items:
        if is_sealed(item.payload) and isinstance(item.payload[SEALED], str):
            try:
                plain = open_box(private_key, decode_box(item.payload[SEALED]),
                                 item_context(str(item.id), item.kind))
                data = json.loads(plain)
            except (SealError, ValueError, RecursionError):
                data = None
            if isinstance(data, dict) and SEALED not in data:
                item = item.model_copy(update={"payload": data})
        opened.append(item)
    return opened


def open_upload(private_key: bytes, sha256: str, box: bytes) -> bytes:
    """The picture inside a sealed upload; ``SealError`` if it does not open."""
    return open_box(private_key, box, attachment_context(sha256))
