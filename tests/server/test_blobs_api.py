"""The blob endpoints and /healthz against a real PostgreSQL and a real S3 (weed mini): presigned upload,
confirm, download, quotas, isolation between owners and what is refused before any storage request."""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from sync import protocol
from sync.server.app import create_app
from sync.server.config import Settings
from sync.server.devstack import S3Server
from sync.server.storage import BlobStore
from tests.server.conftest import new_id

pytestmark = [pytest.mark.postgres, pytest.mark.s3]

Headers = Callable[[str], dict[str, str]]
SECRET = "a-test-secret-that-is-long-enough-0123456789"


def s3_settings(server: S3Server, **overrides: Any) -> Settings:
    """Test settings whose S3 fields point at the session's server (so the app wires its own store)."""
    fields: dict[str, Any] = {
        "jwt_secret": SECRET,
        "s3_endpoint_url": server.endpoint,
        "s3_access_key": server.access_key,
        "s3_secret_key": server.secret_key,
        "s3_bucket": server.bucket,
    }
    return Settings(**(fields | overrides))


@pytest.fixture
def settings(s3_server: S3Server) -> Settings:
    return s3_settings(s3_server)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def blob(size: int = 2048) -> tuple[bytes, str]:
    data = os.urandom(size)
    return data, hashlib.sha256(data).hexdigest()


def upload(client: TestClient, headers: dict[str, str], sha256: str, size: int) -> httpx.Response:
    return client.post(f"/v1/blobs/{sha256}/upload", json={"size": size}, headers=headers)


def put(answer: dict[str, Any], data: bytes) -> None:
    response = httpx.put(answer["url"], content=data, headers=answer["headers"])
    assert response.status_code == 200, response.text


def confirm(client: TestClient, headers: dict[str, str], sha256: str, size: int) -> httpx.Response:
    return client.post(f"/v1/blobs/{sha256}/confirm", json={"size": size}, headers=headers)


def store_blob(client: TestClient, headers: dict[str, str], data: bytes, sha256: str) -> None:
    answer = upload(client, headers, sha256, len(data)).json()
    assert answer["exists"] is False
    put(answer, data)
    assert confirm(client, headers, sha256, len(data)).status_code == 200


def test_upload_confirm_and_download_round_trip(
    client: TestClient, headers_for: Headers, blob_store: BlobStore
) -> None:
    owner = new_id()
    headers = headers_for(owner)
    data, sha256 = blob()
    response = upload(client, headers, sha256, len(data))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["exists"] is False
    assert f"/users/{owner}/blobs/{sha256}" in answer["url"]
    assert answer["headers"] == {"Content-Length": str(len(data))}
    assert answer["expires_at"].endswith("Z")
    put(answer, data)

    confirmed = confirm(client, headers, sha256, len(data))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"sha256": sha256, "size": len(data), "confirmed": True}

    got = client.get(f"/v1/blobs/{sha256}", headers=headers)
    assert got.status_code == 200, got.text
    link = got.json()
    assert set(link) == {"url", "headers", "expires_at"}
    download = httpx.get(link["url"], headers=link["headers"])
    assert download.status_code == 200
    assert download.content == data

    again = upload(client, headers, sha256, len(data))
    assert again.status_code == 200
    assert again.json() == {"exists": True, "url": None, "headers": {}, "expires_at": None}
    assert blob_store.usage_bytes(owner) == len(data)


def test_wrong_content_is_refused_at_confirm_and_deleted(
    client: TestClient, headers_for: Headers, blob_store: BlobStore
) -> None:
    owner = new_id()
    headers = headers_for(owner)
    data, sha256 = blob()
    answer = upload(client, headers, sha256, len(data)).json()
    put(answer, os.urandom(len(data)))  # the right size, other bytes

    refused = confirm(client, headers, sha256, len(data))
    assert refused.status_code == 422
    assert (
        refused.json()["detail"] == "The uploaded file's SHA-256 does not match its name, so it was deleted."
    )
    assert not blob_store.exists(owner, sha256)
    assert client.get(f"/v1/blobs/{sha256}", headers=headers).status_code == 404
    missing = confirm(client, headers, sha256, len(data))
    assert missing.status_code == 404


def test_an_unconfirmed_bad_object_is_not_reported_as_existing(
    client: TestClient, headers_for: Headers, blob_store: BlobStore
) -> None:
    owner = new_id()
    headers = headers_for(owner)
    data, sha256 = blob()
    put(upload(client, headers, sha256, len(data)).json(), os.urandom(len(data)))  # never confirmed

    answer = upload(client, headers, sha256, len(data)).json()
    assert answer["exists"] is False and answer["url"]
    assert not blob_store.exists(owner, sha256)


def test_owners_are_kept_apart(client: TestClient, headers_for: Headers, blob_store: BlobStore) -> None:
    alice, bob = new_id(), new_id()
    data, sha256 = blob()
    store_blob(client, headers_for(alice), data, sha256)

    assert client.get(f"/v1/blobs/{sha256}", headers=headers_for(bob)).status_code == 404
    answer = upload(client, headers_for(bob), sha256, len(data)).json()
    assert answer["exists"] is False
    assert f"/users/{bob}/blobs/{sha256}" in answer["url"] and alice not in answer["url"]
    assert confirm(client, headers_for(bob), sha256, len(data)).status_code == 404  # not uploaded yet
    put(answer, data)
    assert confirm(client, headers_for(bob), sha256, len(data)).status_code == 200
    assert blob_store.usage_bytes(alice) == blob_store.usage_bytes(bob) == len(data)


def test_uploads_past_the_quota_or_the_size_limit_are_refused(
    server_db: Engine, s3_server: S3Server, headers_for: Headers
) -> None:
    settings = s3_settings(s3_server, quota_bytes=3000)
    with TestClient(create_app(settings, engine=server_db)) as client:
        headers = headers_for(new_id())
        first, first_sha = blob(2000)
        store_blob(client, headers, first, first_sha)
        _second, second_sha = blob(1001)
        refused = upload(client, headers, second_sha, 1001)
        assert refused.status_code == 413
        assert "quota" in refused.json()["detail"]
        assert upload(client, headers, second_sha, 1000).status_code == 200  # exactly at the quota

        huge = upload(client, headers, second_sha, 5 * 1024**3 + 1)
        assert huge.status_code == 413
        assert huge.json()["detail"] == "Files over 5 GiB cannot be synced."


def test_two_uploads_racing_past_the_quota_keep_only_what_fits(
    server_db: Engine, s3_server: S3Server, headers_for: Headers, blob_store: BlobStore
) -> None:
    settings = s3_settings(s3_server, quota_bytes=3000)
    with TestClient(create_app(settings, engine=server_db)) as client:
        owner = new_id()
        headers = headers_for(owner)
        (first, first_sha), (second, second_sha) = blob(2000), blob(2000)
        first_url = upload(client, headers, first_sha, 2000).json()  # both fit when asked, one at a time
        second_url = upload(client, headers, second_sha, 2000).json()
        put(first_url, first)
        put(second_url, second)

        assert confirm(client, headers, first_sha, 2000).status_code == 200  # the first confirmed fits
        late = confirm(client, headers, second_sha, 2000)  # 4000 would be over the quota
        assert late.status_code == 413 and "not kept" in late.json()["detail"]
        assert blob_store.usage_bytes(owner) == 2000  # the late file was deleted
        refused = upload(client, headers, second_sha, 2000)
        assert refused.status_code == 413 and "quota" in refused.json()["detail"]
        assert confirm(client, headers, first_sha, 2000).status_code == 200  # confirming again keeps it


@pytest.mark.parametrize("sha256", ["0" * 63, "A" * 64, "g" * 64, "0" * 65])
def test_an_invalid_sha256_is_refused_before_any_storage_request(
    server_db: Engine, headers_for: Headers, sha256: str
) -> None:
    settings = Settings(jwt_secret=SECRET, s3_endpoint_url=f"http://127.0.0.1:{closed_port()}")
    with TestClient(create_app(settings, engine=server_db)) as client:
        headers = headers_for(new_id())
        for response in (
            upload(client, headers, sha256, 10),
            confirm(client, headers, sha256, 10),
            client.get(f"/v1/blobs/{sha256}", headers=headers),
        ):
            assert response.status_code == 422
            assert response.json()["detail"] == "A file's SHA-256 must be 64 lowercase hexadecimal digits."


def test_blob_routes_need_a_token_and_the_protocol_header(client: TestClient, headers_for: Headers) -> None:
    _data, sha256 = blob(10)
    assert (
        client.post(
            f"/v1/blobs/{sha256}/upload", json={"size": 10}, headers={protocol.PROTOCOL_HEADER: "1"}
        ).status_code
        == 401
    )
    assert (
        client.post(
            f"/v1/blobs/{sha256}/confirm", json={"size": 10}, headers={protocol.PROTOCOL_HEADER: "1"}
        ).status_code
        == 401
    )
    assert client.get(f"/v1/blobs/{sha256}", headers={protocol.PROTOCOL_HEADER: "1"}).status_code == 401
    no_protocol = {"Authorization": headers_for(new_id())["Authorization"]}
    assert client.get(f"/v1/blobs/{sha256}", headers=no_protocol).status_code == 426


def test_healthz_reports_database_and_storage(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok"}


def test_healthz_is_503_when_the_storage_is_down(server_db: Engine) -> None:
    settings = Settings(jwt_secret=SECRET, s3_endpoint_url=f"http://127.0.0.1:{closed_port()}")
    with TestClient(create_app(settings, engine=server_db)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "storage": "down"}


@pytest.fixture
def dead_engine() -> Iterator[Engine]:
    engine = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/none", poolclass=NullPool)
    yield engine
    engine.dispose()


def test_healthz_is_503_when_the_database_is_down(dead_engine: Engine, blob_store: BlobStore) -> None:
    settings = Settings(jwt_secret=SECRET)
    with TestClient(create_app(settings, engine=dead_engine, blob_store=blob_store)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "down", "storage": "ok"}


def test_owner_ids_in_keys_come_only_from_the_token(client: TestClient, headers_for: Headers) -> None:
    owner = str(uuid.uuid4())
    _data, sha256 = blob(10)
    answer = upload(client, headers_for(owner), sha256, 10).json()
    assert answer["url"].split("?")[0].endswith(f"/users/{owner}/blobs/{sha256}")
