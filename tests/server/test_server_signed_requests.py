"""A terminal with a public key must sign its requests; the cache key is its alone."""

from __future__ import annotations

import base64
import time

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from server_testkit import enrollment_code

from contract.request_signing import SIGNATURE_HEADER, TIME_HEADER, signed_message
from server.db import Database
from server.embedded import EmbeddedServer
from server.repo import terminals


def _public(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


class Signed:
    """A terminal enrolled with a key pair, signing as the terminal does."""

    def __init__(self, server: EmbeddedServer, db: Database, site: int,
                 key: Ed25519PrivateKey | None) -> None:
        self.key = key
        body = {"code": enrollment_code(db, site), "terminal_name": "corridor"}
        if key is not None:
            body["public_key"] = _public(key)
        answer = httpx.post(f"{server.url}/v1/enroll", json=body).json()
        self.token, self.id = answer["token"], answer["terminal_id"]
        self.client = httpx.Client(base_url=server.url,
                                   headers={"Authorization": f"Bearer {self.token}"})

    def call(self, method: str, path: str, *, content: bytes = b"", signed_path: str = "",
             skew_s: int = 0, key: Ed25519PrivateKey | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if content else {}
        signer = key or self.key
        if signer is not None:
            now = int(time.time()) + skew_s
            message = signed_message(method, signed_path or path, now, content, self.token)
            headers[TIME_HEADER] = str(now)
            headers[SIGNATURE_HEADER] = base64.urlsafe_b64encode(signer.sign(message)).decode()
        return self.client.request(method, path, content=content, headers=headers)


@pytest.fixture
def signed(server: EmbeddedServer, db: Database, world) -> Signed:
    return Signed(server, db, world.site, Ed25519PrivateKey.generate())


def _code(response: httpx.Response) -> str:
    return response.json()["error"]["code"]


def test_a_signed_request_passes(signed):
    assert signed.call("GET", "/v1/pull?wait=0").status_code == 200


def test_the_token_alone_is_refused(signed):
    response = signed.client.get("/v1/pull")
    assert response.status_code == 401 and _code(response) == "signature_required"


def test_a_signature_of_another_key_is_refused(signed):
    response = signed.call("GET", "/v1/pull", key=Ed25519PrivateKey.generate())
    assert response.status_code == 401 and _code(response) == "signature_invalid"


def test_a_signature_of_another_request_is_refused(signed):
    response = signed.call("POST", "/v1/cache-key", signed_path="/v1/pull")
    assert response.status_code == 401 and _code(response) == "signature_invalid"


def test_a_signature_too_far_from_the_server_clock_is_refused_with_the_server_time(signed):
    response = signed.call("GET", "/v1/pull", skew_s=-3600)
    assert response.status_code == 401 and _code(response) == "signature_stale"
    assert abs(response.json()["error"]["server_time"] - time.time()) < 60


def test_a_terminal_enrolled_before_keys_registers_its_key_at_rotation(server, db, world):
    legacy = Signed(server, db, world.site, None)
    assert legacy.call("GET", "/v1/pull").status_code == 200  # no key known: token alone
    key = Ed25519PrivateKey.generate()
    body = f'{{"public_key": "{_public(key)}"}}'.encode()
    rotated = legacy.call("POST", "/v1/token", content=body)
    assert rotated.status_code == 200
    legacy.token, legacy.key = rotated.json()["token"], key
    legacy.client.headers["Authorization"] = f"Bearer {legacy.token}"
    assert _code(legacy.client.get("/v1/pull")) == "signature_required"
    assert legacy.call("GET", "/v1/pull").status_code == 200


def test_the_cache_key_is_made_once_and_given_to_its_terminal_only(signed, server, db, world):
    first = signed.call("POST", "/v1/cache-key").json()["key"]
    assert signed.call("POST", "/v1/cache-key").json()["key"] == first
    other = Signed(server, db, world.site, Ed25519PrivateKey.generate())
    assert other.call("POST", "/v1/cache-key").json()["key"] != first


def test_revocation_ends_the_cache_key(signed, db):
    signed.call("POST", "/v1/cache-key")
    with db.write() as conn:
        terminals.revoke(conn, signed.id)
    response = signed.call("POST", "/v1/cache-key")
    assert response.status_code == 403 and _code(response) == "terminal_revoked"
    with db.read() as conn:
        row = next(t for t in terminals.list_terminals(conn) if t.id == signed.id)
    assert row.cache_key is None
