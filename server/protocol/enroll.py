"""POST /v1/enroll: a terminal trades a one-time code for its own token."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from server.protocol.common import MAX_NAME_CHARS, PUBLIC_KEY_PATTERN, RequestModel, WireModel


class EnrollRequest(RequestModel):
    code: str = Field(min_length=4, max_length=64, description="one-time code from the admin")
    terminal_name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    public_key: str | None = Field(
        default=None, pattern=PUBLIC_KEY_PATTERN,
        description="hex of the Ed25519 public key the terminal signs its requests with")


class SiteInfo(WireModel):
    id: int
    name: str
    timezone: str = Field(description="IANA zone name, e.g. Europe/Paris")
    language: str = Field(description="default UI language of the site, e.g. fr")


SEAL_KEY_FIELD = Field(
    pattern=r"^[A-Za-z0-9+/]{43}=$",
    description="base64 of the server's X25519 public key: terminals seal their queued "
                "messages and pictures to it (docs/sync-protocol.md, Sealed items)")


class EnrollResponse(WireModel):
    terminal_id: int
    token: str = Field(description="send as 'Authorization: Bearer <token>' on every call")
    site: SiteInfo
    protocol_version: int
    seal_public_key: str = SEAL_KEY_FIELD


class ServerInfo(WireModel):
    """GET /v1/info: unauthenticated, lets a terminal check compatibility and its clock."""

    server_version: str
    supported_versions: list[int]
    server_time: AwareDatetime
    seal_public_key: str = SEAL_KEY_FIELD
