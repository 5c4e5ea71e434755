"""The storage quota's count (`server.stored_blobs`): kept in step with confirm and cleanup, filled in for
files stored before it existed, and set to the bucket's listing by the daily job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sync.server import usage
from sync.server.app import create_app
from sync.server.cleanup import collect_blobs
from sync.server.devstack import S3Server
from sync.server.storage import BlobStore
from tests.server.conftest import new_id
from tests.server.test_blobs_api import Headers, blob, s3_settings, store_blob, upload

pytestmark = [pytest.mark.postgres, pytest.mark.s3]

NONE = {"url": None, "expires_at": None}


def test_confirmed_files_are_counted_and_collected_files_leave_the_count(
    server_db: Engine, s3_server: S3Server, headers_for: Headers, blob_store: BlobStore
) -> None:
    with TestClient(create_app(s3_settings(s3_server), engine=server_db)) as client:
        owner = new_id()
        headers = headers_for(owner)
        (first, first_sha), (second, second_sha) = blob(1500), blob(700)
        store_blob(client, headers, first, first_sha)
        store_blob(client, headers, second, second_sha)
        assert usage.used_bytes(server_db, owner) == 2200
        assert usage.used_bytes(server_db, new_id()) == 0  # per owner

        assert upload(client, headers, first_sha, 1500).json() == {"exists": True, "headers": {}, **NONE}

        later = datetime.now(UTC) + timedelta(days=2)  # past the grace; no record names either file
        collected = collect_blobs(server_db, blob_store, owner, now=later)
        assert collected.files == 2
        assert usage.used_bytes(server_db, owner) == 0


def test_files_stored_before_the_count_existed_are_found_and_counted(
    server_db: Engine, s3_server: S3Server, headers_for: Headers, blob_store: BlobStore
) -> None:
    owner = new_id()
    data, sha256 = blob(900)
    put = blob_store.presigned_put(owner, sha256, len(data))  # stored straight in the bucket, never noted
    assert httpx.put(put.url, content=data, headers=put.headers).status_code == 200
    assert usage.used_bytes(server_db, owner) == 0

    assert usage.reconcile(server_db, blob_store, owner) == 900  # what the daily job does
    assert usage.used_bytes(server_db, owner) == 900
    assert usage.reconcile(server_db, blob_store, owner) == 900  # and again changes nothing

    other = new_id()
    put = blob_store.presigned_put(other, sha256, len(data))
    assert httpx.put(put.url, content=data, headers=put.headers).status_code == 200
    with TestClient(create_app(s3_settings(s3_server), engine=server_db)) as client:
        answer = upload(client, headers_for(other), sha256, len(data))
    assert answer.json()["exists"] is True  # read back, checked, and noted
    assert usage.stored_size(server_db, other, sha256) == 900
