"""The blob store against a real S3 server (weed mini, or PRINTSTALL_TEST_S3_URL): presigned uploads and
downloads, the checks at confirm, isolation between owners, quotas and account deletion."""

from __future__ import annotations

import hashlib
import io
import os
import time
import uuid
from typing import Any

import boto3
import httpx
import pytest

from sync.server.storage import (
    BlobMismatch,
    BlobNotFound,
    BlobStore,
    InvalidBlobReference,
    S3Settings,
    StorageUnavailable,
    export_key,
    key_for,
)

pytestmark = pytest.mark.s3

A_UUID = "5f0b0c7e-2b1d-4c1e-9a57-0d6a3f1f2c44"


def blob(size: int = 1000) -> tuple[bytes, str]:
    data = os.urandom(size)
    return data, hashlib.sha256(data).hexdigest()


def owner() -> str:
    return str(uuid.uuid4())


def upload(store: BlobStore, owner_id: str, data: bytes, sha: str, size: int | None = None) -> httpx.Response:
    request = store.presigned_put(owner_id, sha, len(data) if size is None else size)
    return httpx.put(request.url, content=data, headers=request.headers)


def test_presigned_put_confirm_and_get(blob_store: BlobStore) -> None:
    user = owner()
    data, sha = blob(300_000)
    request = blob_store.presigned_put(user, sha, len(data))
    assert request.method == "PUT"
    assert request.headers == {"Content-Length": str(len(data))}
    assert "content-length" in request.url.lower()  # among X-Amz-SignedHeaders
    assert set(request.to_json()) == {"url", "headers", "expires_at"}
    assert httpx.put(request.url, content=data, headers=request.headers).status_code == 200

    blob_store.confirm(user, sha, len(data))
    assert blob_store.exists(user, sha)
    assert blob_store.size_of(user, sha) == len(data)
    download = blob_store.presigned_get(user, sha)
    response = httpx.get(download.url)
    assert response.status_code == 200
    assert response.content == data


def test_empty_file_round_trip(blob_store: BlobStore) -> None:
    user = owner()
    data, sha = blob(0)
    assert upload(blob_store, user, data, sha).status_code == 200
    blob_store.confirm(user, sha, 0)
    assert httpx.get(blob_store.presigned_get(user, sha).url).content == b""


def test_put_of_another_size_is_refused_by_the_server(blob_store: BlobStore) -> None:
    user = owner()
    data, sha = blob(1000)
    request = blob_store.presigned_put(user, sha, len(data))
    # httpx sets Content-Length from the body, so the signed header no longer matches.
    for body in (data + b"extra", data[:-1]):
        response = httpx.put(request.url, content=body)
        assert response.status_code == 403, response.text
    assert not blob_store.exists(user, sha)
    with pytest.raises(BlobNotFound):
        blob_store.confirm(user, sha, len(data))


def test_size_mismatch_is_caught_at_confirm(blob_store: BlobStore) -> None:
    """A client that announced one size and signed for another still cannot get a wrong file confirmed."""
    user = owner()
    data, sha = blob(1000)
    assert upload(blob_store, user, data, sha).status_code == 200
    with pytest.raises(BlobMismatch, match="1000 bytes, not the 999 announced, so it was deleted"):
        blob_store.confirm(user, sha, 999)
    assert not blob_store.exists(user, sha)


def test_wrong_hash_at_confirm_deletes_the_object(blob_store: BlobStore) -> None:
    user = owner()
    data, _sha = blob(2000)
    _other, claimed = blob(2000)
    assert upload(blob_store, user, data, claimed).status_code == 200
    assert blob_store.exists(user, claimed)
    with pytest.raises(BlobMismatch, match=r"SHA-256 does not match.*deleted"):
        blob_store.confirm(user, claimed, len(data))
    assert not blob_store.exists(user, claimed)


def test_confirm_of_a_missing_upload(blob_store: BlobStore) -> None:
    _data, sha = blob(10)
    with pytest.raises(BlobNotFound):
        blob_store.confirm(owner(), sha, 10)


def test_one_owner_cannot_reach_another_owners_files(blob_store: BlobStore, s3_server: Any) -> None:
    alice, bob = owner(), owner()
    data, sha = blob(500)
    assert upload(blob_store, alice, data, sha).status_code == 200
    blob_store.confirm(alice, sha, len(data))

    assert key_for(alice, sha) != key_for(bob, sha)
    assert not blob_store.exists(bob, sha)
    with pytest.raises(BlobNotFound, match="not in your cloud storage"):
        blob_store.presigned_get(bob, sha)
    with pytest.raises(BlobNotFound):
        blob_store.confirm(bob, sha, len(data))
    assert blob_store.usage_bytes(bob) == 0
    assert blob_store.delete_all(bob) == 0
    blob_store.delete(bob, sha)  # deletes Bob's (absent) key, never Alice's
    assert blob_store.exists(alice, sha)

    # Even a signed URL for Bob's key (made without the existence check) finds nothing.
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name="auto",
    )
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": s3_server.bucket, "Key": key_for(bob, sha)}, ExpiresIn=60
    )
    assert httpx.get(url).status_code == 404


@pytest.mark.parametrize(
    ("owner_id", "sha"),
    [
        ("not-a-uuid", "a" * 64),
        ("../" + A_UUID, "a" * 64),
        ("{" + A_UUID + "}", "a" * 64),
        ("urn:uuid:" + A_UUID, "a" * 64),
        (A_UUID.replace("-", ""), "a" * 64),
        ("00000000-0000-0000-0000-000000000000", "a" * 64),
        (A_UUID, "A" * 64),
        (A_UUID, "a" * 63),
        (A_UUID, "a" * 65),
        (A_UUID, "g" * 64),
        (A_UUID, "a" * 63 + "/"),
        (A_UUID, "../" + "a" * 61),
        (A_UUID, "a" * 64 + "\n"),
    ],
)
def test_invalid_owner_or_sha_is_refused_before_any_request(owner_id: str, sha: str) -> None:
    requests: list[str] = []
    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9",  # nothing listens there: a request would fail differently
        aws_access_key_id="k",
        aws_secret_access_key="s",
        region_name="auto",
    )
    client.meta.events.register("before-send.s3", lambda request, **_: requests.append(request.url))
    store = BlobStore(S3Settings("http://127.0.0.1:9", "k", "s", "bucket"), client=client)
    calls = [
        lambda: store.presigned_put(owner_id, sha, 10),
        lambda: store.presigned_get(owner_id, sha),
        lambda: store.confirm(owner_id, sha, 10),
        lambda: store.exists(owner_id, sha),
        lambda: store.delete(owner_id, sha),
    ]
    for call in calls:
        with pytest.raises(InvalidBlobReference):
            call()
    if sha == "a" * 64:  # the owner is the bad part: the per-owner calls refuse it too
        with pytest.raises(InvalidBlobReference):
            store.usage_bytes(owner_id)
        with pytest.raises(InvalidBlobReference):
            store.delete_all(owner_id)
    assert requests == []


def test_keys_are_canonical() -> None:
    user = uuid.uuid4()
    sha = "0" * 64
    assert key_for(user, sha) == f"users/{user}/blobs/{sha}"
    assert key_for(str(user).upper(), sha) == key_for(user, sha) == key_for(str(user), sha)


def test_invalid_sizes_are_refused() -> None:
    store = BlobStore(S3Settings("http://127.0.0.1:9", "k", "s", "bucket"))
    user, sha = owner(), "a" * 64
    for size in (-1, 5 * 1024**3 + 1, True):
        with pytest.raises(InvalidBlobReference):
            store.presigned_put(user, sha, size)
    with pytest.raises(ValueError):
        store.presigned_put(user, sha, 10, expires_s=0)


def test_expired_presigned_urls_are_refused(blob_store: BlobStore) -> None:
    user = owner()
    data, sha = blob(100)
    put = blob_store.presigned_put(user, sha, len(data), expires_s=1)
    assert upload(blob_store, user, data, sha).status_code == 200
    get = blob_store.presigned_get(user, sha, expires_s=1)
    time.sleep(2)
    assert httpx.put(put.url, content=data, headers=put.headers).status_code == 403
    assert httpx.get(get.url).status_code == 403


def test_usage_bytes_and_delete_all(blob_store: BlobStore) -> None:
    user, neighbour = owner(), owner()
    sizes = [10, 2000, 70_000]
    shas = []
    for size in sizes:
        data, sha = blob(size)
        assert upload(blob_store, user, data, sha).status_code == 200
        shas.append(sha)
    data, neighbour_sha = blob(123)
    assert upload(blob_store, neighbour, data, neighbour_sha).status_code == 200

    assert blob_store.usage_bytes(user) == sum(sizes)
    blob_store.delete(user, shas[0])
    blob_store.delete(user, shas[0])  # deleting twice is fine
    assert blob_store.usage_bytes(user) == sum(sizes[1:])
    assert blob_store.delete_all(user) == 2
    assert blob_store.usage_bytes(user) == 0
    assert not any(blob_store.exists(user, sha) for sha in shas)
    assert blob_store.usage_bytes(neighbour) == 123


def test_reachable(blob_store: BlobStore) -> None:
    assert blob_store.reachable()
    settings = blob_store.settings
    assert not BlobStore(
        S3Settings(settings.endpoint_url, settings.access_key, "wrong", settings.bucket)
    ).reachable()
    missing = BlobStore(
        S3Settings(settings.endpoint_url, settings.access_key, settings.secret_key, "no-such-bucket")
    )
    assert not missing.reachable()
    down = BlobStore(S3Settings("http://127.0.0.1:9", "k", "s", "bucket"))
    assert not down.reachable()
    with pytest.raises(StorageUnavailable, match="could not be reached"):
        down.exists(owner(), "a" * 64)


def test_settings_from_url() -> None:
    settings = S3Settings.from_url("http://AK%2B1:s%2Fecret@127.0.0.1:8333/my-bucket")
    assert settings == S3Settings("http://127.0.0.1:8333", "AK+1", "s/ecret", "my-bucket", "auto")
    for bad in (
        "http://127.0.0.1:8333/bucket",
        "ftp://a:b@host/bucket",
        "http://a:b@host/",
        "http://a:b@h/x/y",
    ):
        with pytest.raises(ValueError):
            S3Settings.from_url(bad)


def test_listing_reading_and_deleting_everything_of_an_owner(blob_store: BlobStore) -> None:
    user, other = owner(), owner()
    data, sha = blob(2000)
    for who in (user, other):
        assert upload(blob_store, who, data, sha).status_code == 200
    blob_store.put_export(user, A_UUID, io.BytesIO(b"archive"))
    (listed,) = blob_store.list_blobs(user)
    assert (listed.name, listed.size) == (sha, 2000) and listed.last_modified.tzinfo is not None
    copy = io.BytesIO()
    assert blob_store.read_blob_into(user, sha, copy) == 2000 and copy.getvalue() == data
    assert blob_store.usage_bytes(user) == 2000  # exports are not in the quota
    assert export_key(user, A_UUID) == f"users/{user}/exports/{A_UUID}.zip"
    with pytest.raises(InvalidBlobReference):
        export_key(user, "../blobs/x")

    assert blob_store.delete_account_objects(user) == 2  # the file and the export
    assert blob_store.list_blobs(user) == [] and blob_store.list_exports(user) == []
    assert blob_store.exists(other, sha)
    assert blob_store.delete_blobs(other, [sha]) == 1
    assert not blob_store.exists(other, sha)
