"""The blob endpoints of SYNC.md (Blobs): presigned uploads and downloads of the owner's files.

- `POST /v1/blobs/{sha256}/upload` `{"size"}` → `{"exists": true}` when the owner's object is there and
  reads back with that size and SHA-256, otherwise `{"url", "headers", "expires_at"}`, a presigned PUT
  (sync.server.storage.PUT_EXPIRES_S) that signs the Content-Length. Refused with 413 for files over
  `MAX_BLOB_BYTES` and when the owner's stored bytes (summed from `server.stored_blobs`) plus `size` would
  pass `Settings.quota_bytes` (413, not 507: the client must not retry it as a server fault; the sentence
  says which limit). A file confirmed before answers `exists` without touching the storage.
- `POST /v1/blobs/{sha256}/confirm` `{"size"}` (the size sent to upload) → `{"sha256", "size", "confirmed"}`
  after the object was read back and hashed; a mismatch deletes it and answers 422 with the sentence; a
  missing object is 404. The file is noted in `server.stored_blobs` (sync.server.usage) and the quota is
  summed again (`_keep_within_quota`): a new file that raced another past the quota is deleted and refused
  with 413.
- `GET /v1/blobs/{sha256}` → `{"url", "headers", "expires_at"}`, a presigned GET; 404 unless the owner has it.

A malformed SHA-256 is 422 before any storage request; every key is built by sync.server.storage from the
authenticated owner (`current_owner`), never from the request. An unreachable storage is 503. The routes
are plain functions: boto3 blocks, so FastAPI runs them on its thread pool.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import Engine

from sync import protocol
from sync.server import usage
from sync.server.access_tokens import Owner
from sync.server.config import Settings
from sync.server.storage import (
    MAX_BLOB_BYTES,
    BlobMismatch,
    BlobNotFound,
    BlobStore,
    InvalidBlobReference,
    S3Settings,
    StorageUnavailable,
    check_sha256,
    owner_key,
)

TOO_LARGE = "Files over 5 GiB cannot be synced."


def store_from_settings(settings: Settings) -> BlobStore:
    """The `BlobStore` of the configured S3 endpoint, keys and bucket (no request is made)."""
    return BlobStore(
        S3Settings(
            endpoint_url=settings.s3_endpoint_url,
            access_key=settings.s3_access_key.get_secret_value(),
            secret_key=settings.s3_secret_key.get_secret_value(),
            bucket=settings.s3_bucket,
            region=settings.s3_region,
        )
    )


def blob_store(request: Request) -> BlobStore:
    """The app's store: the one given to `create_app`, else made from the settings on first use."""
    state = request.app.state
    store: BlobStore | None = getattr(state, "blob_store", None)
    if store is None:
        store = store_from_settings(state.settings)
        state.blob_store = store
    return store


def _checked(owner: str, sha256: str) -> tuple[str, str]:
    """The owner and SHA-256, or 422 before any storage request."""
    try:
        return owner_key(owner), check_sha256(sha256)
    except InvalidBlobReference as error:
        raise HTTPException(422, str(error)) from None


def _unavailable(error: StorageUnavailable) -> HTTPException:
    return HTTPException(503, f"{error} Try again later.")


def _has_verified(store: BlobStore, owner: str, sha256: str, size: int) -> bool:
    """Whether the owner's object is there with this size and SHA-256; a bad one is deleted by `confirm`."""
    stored = store.size_of(owner, sha256)
    if stored is None:
        return False
    try:
        store.confirm(owner, sha256, size)
    except (BlobMismatch, BlobNotFound):
        return False
    return True


def _keep_within_quota(
    engine: Engine, store: BlobStore, owner: str, sha256: str, size: int, quota: int
) -> None:
    """Two uploads checked against the quota at the same moment can both pass it. So at confirm the owner's
    bytes are summed again, and a file new to the owner that takes it over the quota is deleted and refused
    (413; the client may try again once space is freed). A file confirmed before is never deleted here."""
    if not usage.record(engine, owner, sha256, size):
        return
    used = usage.used_bytes(engine, owner)
    if used <= quota:
        return
    store.delete(owner, sha256)
    usage.forget(engine, owner, [sha256])
    raise HTTPException(
        413,
        f"Your storage quota is full: {used - size} of {quota} bytes are used and this file has {size}, so "
        "it was not kept; delete files or unused versions first.",
    )


def make_router() -> APIRouter:
    """The blob routes, each authenticated by `current_owner` (sync.server.access_tokens)."""
    router = APIRouter(prefix="/v1/blobs", tags=["blobs"])

    @router.post("/{sha256}/upload", response_model=protocol.BlobUploadResponse)
    def upload(
        owner: Owner, sha256: str, body: protocol.BlobUploadRequest, request: Request
    ) -> protocol.BlobUploadResponse:
        owner, sha256 = _checked(owner, sha256)
        if body.size > MAX_BLOB_BYTES:
            raise HTTPException(413, TOO_LARGE)
        settings: Settings = request.app.state.settings
        engine: Engine = request.app.state.engine
        store = blob_store(request)
        try:
            if usage.stored_size(engine, owner, sha256) == body.size:
                return protocol.BlobUploadResponse(exists=True)  # confirmed before: size and hash checked
            if _has_verified(store, owner, sha256, body.size):  # stored but not noted (before s0004)
                usage.record(engine, owner, sha256, body.size)
                return protocol.BlobUploadResponse(exists=True)
            used = usage.used_bytes(engine, owner)
            if used + body.size > settings.quota_bytes:
                raise HTTPException(
                    413,
                    f"This file would pass your storage quota: {used} of {settings.quota_bytes} bytes are "
                    f"used and the file has {body.size}; delete files or unused versions first.",
                )
            put = store.presigned_put(owner, sha256, body.size)
        except StorageUnavailable as error:
            raise _unavailable(error) from None
        answer: dict[str, Any] = put.to_json()
        return protocol.BlobUploadResponse(exists=False, **answer)

    @router.post("/{sha256}/confirm", response_model=protocol.BlobConfirmResponse)
    def confirm(
        owner: Owner, sha256: str, body: protocol.BlobUploadRequest, request: Request
    ) -> protocol.BlobConfirmResponse:
        owner, sha256 = _checked(owner, sha256)
        if body.size > MAX_BLOB_BYTES:
            raise HTTPException(413, TOO_LARGE)
        store = blob_store(request)
        settings: Settings = request.app.state.settings
        try:
            store.confirm(owner, sha256, body.size)
            _keep_within_quota(
                request.app.state.engine, store, owner, sha256, body.size, settings.quota_bytes
            )
        except BlobMismatch as error:
            raise HTTPException(422, str(error)) from None
        except BlobNotFound as error:
            raise HTTPException(404, str(error)) from None
        except StorageUnavailable as error:
            raise _unavailable(error) from None
        return protocol.BlobConfirmResponse(sha256=sha256, size=body.size, confirmed=True)

    @router.get("/{sha256}", response_model=protocol.PresignedRequest)
    def download(owner: Owner, sha256: str, request: Request) -> protocol.PresignedRequest:
        owner, sha256 = _checked(owner, sha256)
        try:
            get = blob_store(request).presigned_get(owner, sha256)
        except BlobNotFound as error:
            raise HTTPException(404, str(error)) from None
        except StorageUnavailable as error:
            raise _unavailable(error) from None
        return protocol.PresignedRequest.model_validate(get.to_json())

    return router
