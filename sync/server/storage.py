"""The users' files in S3-compatible storage (Cloudflare R2 in production, SeaweedFS in development).

Every object key is built here, from an owner id (a UUID) and a SHA-256 (64 lowercase hex digits), as
``users/<owner>/blobs/<sha256>``; nothing else ever becomes part of a key, so one user's calls can only reach
that user's files. Clients upload and download with presigned URLs (`SYNC.md`, Blobs): the PUT signs the
Content-Length, so the storage refuses a body of another size, and `confirm` reads the object back and checks
its size and SHA-256 before any record may reference it.

Besides the files, an owner's GDPR exports live under ``users/<owner>/exports/<uuid>.zip`` (made by the
service, fetched with a presigned GET, deleted after a week). They are not files of the quota: `usage_bytes`
counts ``blobs/`` only. `delete_account_objects` removes everything under ``users/<owner>/``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from core.errors import PrintstallError

MAX_BLOB_BYTES = 5 * 1024**3  # one presigned PUT per blob; S3 and R2 refuse single PUTs over 5 GiB
PUT_EXPIRES_S = 600
GET_EXPIRES_S = 300
MAX_EXPIRES_S = 7 * 24 * 3600  # SigV4's limit
EXPORT_GET_EXPIRES_S = 3600
_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


class StorageError(PrintstallError):
    """The file storage failed or refused an operation; `str(error)` is one sentence."""


class InvalidBlobReference(StorageError):
    """An owner id or SHA-256 that cannot name a stored file (refused before any request is made)."""


class BlobNotFound(StorageError):
    """The owner has no stored file with this SHA-256."""


class BlobMismatch(StorageError):
    """An uploaded file's size or SHA-256 is not what was announced; the object has been deleted."""


class StorageUnavailable(StorageError):
    """The storage service could not be reached or answered with an error."""


@dataclass(frozen=True)
class S3Settings:
    """Where the files are: an S3 endpoint, credentials and one bucket."""

    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str
    region: str = "auto"  # what R2 expects; SeaweedFS accepts any

    @classmethod
    def from_url(cls, url: str, region: str = "auto") -> S3Settings:
        """Read ``http(s)://KEY:SECRET@HOST[:PORT]/BUCKET`` (key and secret percent-encoded)."""
        parts = urlsplit(url)
        bucket = parts.path.strip("/")
        if parts.scheme not in {"http", "https"} or not parts.hostname or not bucket or "/" in bucket:
            raise ValueError("An S3 URL looks like http(s)://KEY:SECRET@HOST:PORT/BUCKET.")
        if parts.username is None or parts.password is None:
            raise ValueError("An S3 URL must carry the access key and secret key before the host.")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        return cls(
            endpoint_url=f"{parts.scheme}://{host}",
            access_key=unquote(parts.username),
            secret_key=unquote(parts.password),
            bucket=bucket,
            region=region,
        )


@dataclass(frozen=True)
class PresignedRequest:
    """What a client needs to make one request straight to the storage: send exactly these headers."""

    method: str
    url: str
    headers: dict[str, str]
    expires_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The shape of the `/v1/blobs` answers: ``{"url", "headers", "expires_at"}`` (RFC 3339 UTC)."""
        return {
            "url": self.url,
            "headers": dict(self.headers),
            "expires_at": self.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


@dataclass(frozen=True)
class StoredObject:
    """One object as the listing shows it: for a file `name` is its SHA-256, for an export its uuid."""

    name: str
    size: int
    last_modified: datetime


def s3_client(settings: S3Settings, attempts: int = 3) -> Any:
    """A boto3 client for an S3-compatible endpoint: SigV4, path-style keys (R2 and SeaweedFS both take
    them), and checksums only where the API requires them (boto3's default CRC32 headers are not understood
    everywhere)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=settings.endpoint_url,
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
        region_name=settings.region,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": attempts, "mode": "standard"},
        ),
    )


def owner_key(owner_id: uuid.UUID | str) -> str:
    """The canonical text of an owner id; anything but a non-nil UUID is refused."""
    if isinstance(owner_id, uuid.UUID):
        owner = owner_id
    elif isinstance(owner_id, str):
        try:
            owner = uuid.UUID(owner_id)
        except ValueError:
            raise InvalidBlobReference("The owner id is not a UUID.") from None
        if str(owner) != owner_id.lower():
            raise InvalidBlobReference("The owner id is not a UUID in its usual form.")
    else:
        raise InvalidBlobReference("The owner id is not a UUID.")
    if owner.int == 0:
        raise InvalidBlobReference("Files of the local, signed-out owner are never stored on the server.")
    return str(owner)


def check_sha256(sha256: str) -> str:
    """`sha256` if it is 64 lowercase hexadecimal digits, else `InvalidBlobReference`."""
    if not isinstance(sha256, str) or _SHA256.fullmatch(sha256) is None:
        raise InvalidBlobReference("A file's SHA-256 must be 64 lowercase hexadecimal digits.")
    return sha256


def owner_prefix(owner_id: uuid.UUID | str) -> str:
    """The key prefix that holds all of one owner's files, ending in a slash."""
    return f"users/{owner_key(owner_id)}/blobs/"


def account_prefix(owner_id: uuid.UUID | str) -> str:
    """The key prefix of everything stored for one owner (files and exports), ending in a slash."""
    return f"users/{owner_key(owner_id)}/"


def exports_prefix(owner_id: uuid.UUID | str) -> str:
    """The key prefix of one owner's exports, ending in a slash."""
    return account_prefix(owner_id) + "exports/"


def export_key(owner_id: uuid.UUID | str, export_id: uuid.UUID | str) -> str:
    """The object key of an export: ``users/<owner>/exports/<uuid>.zip``."""
    try:
        name = str(uuid.UUID(str(export_id)))
    except ValueError:
        raise InvalidBlobReference("An export id is a UUID.") from None
    return f"{exports_prefix(owner_id)}{name}.zip"


def key_for(owner_id: uuid.UUID | str, sha256: str) -> str:
    """The object key of a file: ``users/<owner>/blobs/<sha256>``."""
    return owner_prefix(owner_id) + check_sha256(sha256)


def _check_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidBlobReference("A file's size must be a whole number of bytes, zero or more.")
    if size > MAX_BLOB_BYTES:
        raise InvalidBlobReference("Files over 5 GiB cannot be uploaded.")
    return size


def _check_expiry(expires_s: int) -> int:
    if isinstance(expires_s, bool) or not isinstance(expires_s, int) or not 1 <= expires_s <= MAX_EXPIRES_S:
        raise ValueError(f"expires_s must be from 1 to {MAX_EXPIRES_S} seconds")
    return expires_s


def _is_not_found(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = str(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return code in _NOT_FOUND_CODES or status == "404"


class BlobStore:
    """One bucket of users' files. Methods take an owner id and a SHA-256, never a key."""

    def __init__(self, settings: S3Settings, client: Any = None) -> None:
        self.settings = settings
        self._client = client if client is not None else s3_client(settings)
        self._bucket = settings.bucket

    # Presigned requests (made locally: no request reaches the storage)

    def presigned_put(
        self, owner_id: uuid.UUID | str, sha256: str, size: int, expires_s: int = PUT_EXPIRES_S
    ) -> PresignedRequest:
        """A PUT URL for exactly `size` bytes at the owner's key for `sha256`."""
        key = key_for(owner_id, sha256)
        _check_size(size)
        _check_expiry(expires_s)
        url = self._presign("put_object", {"Key": key, "ContentLength": size}, expires_s)
        return PresignedRequest("PUT", url, {"Content-Length": str(size)}, _expiry(expires_s))

    def presigned_get(
        self, owner_id: uuid.UUID | str, sha256: str, expires_s: int = GET_EXPIRES_S
    ) -> PresignedRequest:
        """A GET URL for the owner's file; `BlobNotFound` when the owner has no such file."""
        key = key_for(owner_id, sha256)
        _check_expiry(expires_s)
        if self._head(key) is None:
            raise BlobNotFound("This file is not in your cloud storage.")
        url = self._presign("get_object", {"Key": key}, expires_s)
        return PresignedRequest("GET", url, {}, _expiry(expires_s))

    def _presign(self, operation: str, params: dict[str, Any], expires_s: int) -> str:
        try:
            url: str = self._client.generate_presigned_url(
                operation, Params={"Bucket": self._bucket, **params}, ExpiresIn=expires_s
            )
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable("A link to the file storage could not be made.") from error
        return url

    # Checking an upload

    def confirm(self, owner_id: uuid.UUID | str, sha256: str, size: int) -> None:
        """Read the uploaded object back and check its size and SHA-256.

        On a mismatch the object is deleted and `BlobMismatch` says which check failed; a missing object is
        `BlobNotFound`. At most `size + 1` bytes are read, so a wrong size cannot make it read a huge file.
        """
        key = key_for(owner_id, sha256)
        _check_size(size)
        response = self._get(
            key,
            missing="The file was not uploaded, or its upload link had expired.",
            unreadable="The uploaded file could not be read back from storage.",
        )
        body = response["Body"]
        digest = hashlib.sha256()
        read = 0
        try:
            if int(response.get("ContentLength", size)) == size:
                for chunk in _chunks(body, size + 1):
                    digest.update(chunk)
                    read += len(chunk)
            else:
                read = int(response["ContentLength"])
        except (BotoCoreError, OSError) as error:
            raise StorageUnavailable("The uploaded file could not be read back from storage.") from error
        finally:
            body.close()
        if read != size:
            self._delete_key(key)
            raise BlobMismatch(
                f"The uploaded file has {read} bytes, not the {size} announced, so it was deleted."
            )
        if digest.hexdigest() != sha256:
            self._delete_key(key)
            raise BlobMismatch("The uploaded file's SHA-256 does not match its name, so it was deleted.")

    # Plain operations

    def exists(self, owner_id: uuid.UUID | str, sha256: str) -> bool:
        """Whether the owner has a stored file with this SHA-256."""
        return self._head(key_for(owner_id, sha256)) is not None

    def size_of(self, owner_id: uuid.UUID | str, sha256: str) -> int | None:
        """The stored size in bytes of the owner's file, or None when there is none."""
        return self._head(key_for(owner_id, sha256))

    def delete(self, owner_id: uuid.UUID | str, sha256: str) -> None:
        """Delete the owner's file; deleting a file that is not there is not an error."""
        self._delete_key(key_for(owner_id, sha256))

    def usage_bytes(self, owner_id: uuid.UUID | str) -> int:
        """The total size of the owner's stored files (for quotas)."""
        return sum(size for _key, size in self._list(owner_prefix(owner_id)))

    def delete_all(self, owner_id: uuid.UUID | str) -> int:
        """Delete every file of the owner (account deletion); returns how many were deleted."""
        return self._delete_all_of(key for key, _size in self._list(owner_prefix(owner_id)))

    # Listing and collecting (sync.server.cleanup, sync.server.data_rights)

    def list_blobs(self, owner_id: uuid.UUID | str) -> list[StoredObject]:
        """The owner's stored files with their size and upload time (objects not named by a SHA-256 are
        left out: nothing the service made)."""
        prefix = owner_prefix(owner_id)
        found = []
        for key, size, modified in self._list_detailed(prefix):
            name = key[len(prefix) :]
            if _SHA256.fullmatch(name):
                found.append(StoredObject(name, size, modified))
        return found

    def delete_blobs(self, owner_id: uuid.UUID | str, sha256s: Iterable[str]) -> int:
        """Delete these files of the owner; returns how many keys were deleted (missing ones count too)."""
        return self._delete_all_of(key_for(owner_id, sha) for sha in sha256s)

    def read_blob_into(self, owner_id: uuid.UUID | str, sha256: str, out: IO[bytes]) -> int:
        """Copy the owner's file into `out` in chunks; returns the bytes copied (`BlobNotFound` if none)."""
        response = self._get(
            key_for(owner_id, sha256),
            missing="This file is not in your cloud storage.",
            unreadable="A file could not be read from storage.",
            unreachable="The file storage could not be reached.",
        )
        body = response["Body"]
        copied = 0
        try:
            for chunk in _chunks(body, MAX_BLOB_BYTES + 1):
                out.write(chunk)
                copied += len(chunk)
        except (BotoCoreError, OSError) as error:
            raise StorageUnavailable("A file could not be read from storage.") from error
        finally:
            body.close()
        return copied

    def put_export(self, owner_id: uuid.UUID | str, export_id: uuid.UUID | str, data: IO[bytes]) -> None:
        """Upload an export archive from a file object (multipart when large)."""
        key = export_key(owner_id, export_id)
        try:
            self._client.upload_fileobj(data, self._bucket, key, ExtraArgs={"ContentType": "application/zip"})
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable("The export could not be stored.") from error

    def presigned_export_get(
        self, owner_id: uuid.UUID | str, export_id: uuid.UUID | str, expires_s: int = EXPORT_GET_EXPIRES_S
    ) -> PresignedRequest:
        """A GET URL for one of the owner's exports."""
        key = export_key(owner_id, export_id)
        _check_expiry(expires_s)
        url = self._presign("get_object", {"Key": key}, expires_s)
        return PresignedRequest("GET", url, {}, _expiry(expires_s))

    def list_exports(self, owner_id: uuid.UUID | str) -> list[StoredObject]:
        """The owner's exports (name = the export id) with their size and time."""
        prefix = exports_prefix(owner_id)
        found = []
        for key, size, modified in self._list_detailed(prefix):
            name = key[len(prefix) :].removesuffix(".zip")
            found.append(StoredObject(name, size, modified))
        return found

    def delete_exports(self, owner_id: uuid.UUID | str, export_ids: Iterable[str]) -> int:
        """Delete these exports of the owner; returns how many keys were deleted."""
        return self._delete_all_of(export_key(owner_id, name) for name in export_ids)

    def delete_account_objects(self, owner_id: uuid.UUID | str) -> int:
        """Delete every object under ``users/<owner>/`` (files and exports: account deletion)."""
        keys = [key for key, _size, _modified in self._list_detailed(account_prefix(owner_id))]
        return self._delete_all_of(keys)

    def reachable(self) -> bool:
        """Whether the bucket answers (for /healthz); never raises."""
        try:
            self._client.head_bucket(Bucket=self._bucket)
        except (BotoCoreError, ClientError):
            return False
        return True

    # Helpers

    def _get(self, key: str, *, missing: str, unreadable: str, unreachable: str | None = None) -> Any:
        """The GET response of `key` (its `Body` still to read): `BlobNotFound(missing)` when there is no
        such object, `StorageUnavailable` with `unreadable` (or `unreachable` when the storage did not answer
        at all) otherwise."""
        try:
            return self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if _is_not_found(error):
                raise BlobNotFound(missing) from None
            raise StorageUnavailable(unreadable) from error
        except BotoCoreError as error:
            raise StorageUnavailable(unreachable or unreadable) from error

    def _head(self, key: str) -> int | None:
        try:
            response = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if _is_not_found(error):
                return None
            raise StorageUnavailable("The file storage could not be asked about a file.") from error
        except BotoCoreError as error:
            raise StorageUnavailable("The file storage could not be reached.") from error
        return int(response["ContentLength"])

    def _delete_key(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if not _is_not_found(error):
                raise StorageUnavailable("A file could not be deleted from storage.") from error
        except BotoCoreError as error:
            raise StorageUnavailable("The file storage could not be reached.") from error

    def _delete_keys(self, keys: list[str]) -> int:
        try:
            response = self._client.delete_objects(
                Bucket=self._bucket, Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True}
            )
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable("Files could not be deleted from storage.") from error
        if response.get("Errors"):
            raise StorageUnavailable(f"{len(response['Errors'])} files could not be deleted from storage.")
        return len(keys)

    def _delete_all_of(self, keys: Iterable[str]) -> int:
        deleted = 0
        batch: list[str] = []
        for key in keys:
            batch.append(key)
            if len(batch) == 1000:  # DeleteObjects takes at most 1000 keys
                deleted += self._delete_keys(batch)
                batch = []
        if batch:
            deleted += self._delete_keys(batch)
        return deleted

    def _list_detailed(self, prefix: str) -> Iterator[tuple[str, int, datetime]]:
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    modified = item["LastModified"]
                    if modified.tzinfo is None:
                        modified = modified.replace(tzinfo=UTC)
                    yield str(item["Key"]), int(item["Size"]), modified
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable("The list of stored files could not be read.") from error

    def _list(self, prefix: str) -> Iterator[tuple[str, int]]:
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    yield str(item["Key"]), int(item["Size"])
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable("The list of stored files could not be read.") from error


def _chunks(body: Any, limit: int) -> Iterator[bytes]:
    """Read `body` in chunks, at most `limit` bytes in all."""
    left = limit
    while left > 0:
        chunk: bytes = body.read(min(_CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk


def _expiry(expires_s: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=expires_s)
