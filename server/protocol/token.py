"""POST /v1/token: a terminal trades its token for a fresh one (rotation)."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from server.protocol.common import PUBLIC_KEY_PATTERN, RequestModel, WireModel


class TokenResponse(WireModel):
    token: str = Field(description="the new token: send it from now on")
    issued_at: AwareDatetime
    previous_expires_at: AwareDatetime | None = Field(
        description="until when the token this call was made with still works")


class TokenRequest(RequestModel):
    public_key: str | None = Field(
        default=None, pattern=PUBLIC_KEY_PATTERN,
        description="a terminal enrolled before signed requests registers its Ed25519 "
                    "public key here, once; ignored when the server has one already")
