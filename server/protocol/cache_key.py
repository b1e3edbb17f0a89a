"""POST /v1/cache-key: the key of the terminal's encrypted message cache."""

from __future__ import annotations

from pydantic import Field

from server.protocol.common import WireModel
from server.protocol.enroll import SEAL_KEY_FIELD


class CacheKeyResponse(WireModel):
    key: str = Field(pattern=r"^[0-9a-f]{64}$",
                     description="32 random bytes, hex: the terminal keeps them in RAM only")
    seal_public_key: str = SEAL_KEY_FIELD  # fetched at each start with the cache key
