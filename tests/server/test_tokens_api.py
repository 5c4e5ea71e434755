"""Bad tokens at the API: every sync and blob route refuses (401) a tampered, expired, foreign or refresh
token and stores nothing; and a replayed push batch changes nothing (same answer, same rows, same seqs).

tests/server/test_sync_api.py covers the bad claims on pull and state; these add tampering and the refresh
token, on every route that reads or writes a user's data.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sync import protocol
from sync.server.access_tokens import account_keys, issue_access_token
from sync.server.accounts.service import AccountService, Session
from sync.server.app import create_app
from sync.server.config import Settings
from tests.server.conftest import DEVICE, batch, clock, mailed_accounts, new_id, sale_row, tag_change

pytestmark = pytest.mark.postgres

SHA256 = hashlib.sha256(b"a blob").hexdigest()


@pytest.fixture
def accounts(server_db: Engine, settings: Settings, tmp_path: Path) -> AccountService:
    return mailed_accounts(server_db, settings, tmp_path)


@pytest.fixture
def api(server_db: Engine, settings: Settings, accounts: AccountService) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as test_client:
        yield test_client


@pytest.fixture
def session(accounts: AccountService, tmp_path: Path) -> Session:
    """A signed-up user's session (access and refresh token)."""
    accounts.register("tokens@example.com", "a password nobody will guess", address="127.0.0.1")
    [message] = tmp_path.glob("*.eml")
    code = re.search(rb"Subject:.*:\s*(\S+)\s*$", message.read_bytes(), re.MULTILINE)
    assert code is not None
    return accounts.verify_email("tokens@example.com", code.group(1).decode(), device_id=DEVICE)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", protocol.PROTOCOL_HEADER: "1"}


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def signed(claims: dict[str, Any], key: bytes) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tampered_payload(token: str) -> str:
    """The token with another user's id in its payload and the original signature."""
    header, _payload, signature = token.split(".")
    claims = claims_of(token) | {"sub": new_id()}
    return ".".join((header, _b64(json.dumps(claims).encode()), signature))


def tampered_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return ".".join((header, payload, flipped))


def routes(body: dict[str, Any]) -> list[Callable[[TestClient, dict[str, str]], Any]]:
    """Each route that acts on a user's data, as a call with the given headers: sync first, then blobs."""
    return [
        lambda client, headers: client.post("/v1/sync/push", json=body, headers=headers),
        lambda client, headers: client.get("/v1/sync/pull", headers=headers),
        lambda client, headers: client.get("/v1/sync/state", headers=headers),
        lambda client, headers: client.post(f"/v1/blobs/{SHA256}/upload", json={"size": 6}, headers=headers),
        lambda client, headers: client.post(f"/v1/blobs/{SHA256}/confirm", headers=headers),
        lambda client, headers: client.get(f"/v1/blobs/{SHA256}", headers=headers),
    ]


BAD_TOKENS: dict[str, Callable[[Session, Settings], str]] = {
    "tampered-payload": lambda session, _settings: tampered_payload(session.access_token),
    "tampered-signature": lambda session, _settings: tampered_signature(session.access_token),
    "expired": lambda session, settings: signed(
        claims_of(session.access_token) | {"iat": int(time.time()) - 3600, "exp": int(time.time()) - 60},
        account_keys(settings).access,
    ),
    "other-audience": lambda session, settings: signed(
        claims_of(session.access_token) | {"aud": "some-other-service"}, account_keys(settings).access
    ),
    "other-secret": lambda session, _settings: signed(
        claims_of(session.access_token),
        account_keys(Settings(jwt_secret="another-secret-that-is-long-enough-0123456789")).access,
    ),
    "refresh-token": lambda session, _settings: session.refresh_token,
    "not-a-jwt": lambda _session, _settings: "not-a-token",
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_every_data_route_refuses_a_bad_token_and_stores_nothing(
    api: TestClient, session: Session, settings: Settings, kind: str
) -> None:
    body = batch([tag_change(new_id(), "Dragons", clock())], [sale_row(new_id())])
    good = bearer(session.access_token)
    # The good token is taken (the blob routes are left out: this app has no storage to reach).
    for call in routes(batch())[:3]:
        assert call(api, good).status_code == 200
    bad = bearer(BAD_TOKENS[kind](session, settings))
    for call in routes(body):
        response = call(api, bad)
        assert response.status_code == 401, (kind, response.request.url, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
    page = api.get("/v1/sync/pull", headers=good).json()
    assert page == {"records": [], "ledger": [], "next_cursor": 0, "more": False}


def test_a_tampered_payload_does_not_reach_the_named_user(
    api: TestClient, settings: Settings, session: Session
) -> None:
    victim = new_id()
    header, _payload, signature = session.access_token.split(".")
    forged = ".".join(
        (header, _b64(json.dumps(claims_of(session.access_token) | {"sub": victim}).encode()), signature)
    )
    assert (
        api.post(
            "/v1/sync/push", json=batch([tag_change(new_id(), "x", clock())]), headers=bearer(forged)
        ).status_code
        == 401
    )
    victims = bearer(issue_access_token(settings, victim))
    assert api.get("/v1/sync/pull", headers=victims).json()["records"] == []


def test_a_replayed_batch_changes_nothing(api: TestClient, session: Session) -> None:
    headers = bearer(session.access_token)
    tag_id = new_id()
    first = batch([tag_change(tag_id, "Dragons", clock())], [sale_row(new_id()), sale_row(new_id())])
    answer = api.post("/v1/sync/push", json=first, headers=headers).json()
    assert answer == {"batch_id": first["batch_id"], "max_seq": 3, "rejected": []}
    later = batch(ledger=[sale_row(new_id())])
    assert api.post("/v1/sync/push", json=later, headers=headers).json()["max_seq"] == 4
    before = api.get("/v1/sync/pull", headers=headers).json()

    # The same batch again, and the same batch id with other rows (a client bug): the stored answer, nothing
    # stored, no seq handed out.
    assert api.post("/v1/sync/push", json=first, headers=headers).json() == answer
    changed = first | {"records": [tag_change(tag_id, "Wyverns", clock())], "ledger": [sale_row(new_id())]}
    assert api.post("/v1/sync/push", json=changed, headers=headers).json() == answer

    assert api.get("/v1/sync/pull", headers=headers).json() == before
    assert before["next_cursor"] == 4
    assert [record["fields"]["name"] for record in before["records"]] == ["Dragons"]
    assert len(before["ledger"]) == 3
    following = batch(ledger=[sale_row(new_id())])
    assert api.post("/v1/sync/push", json=following, headers=headers).json()["max_seq"] == 5
