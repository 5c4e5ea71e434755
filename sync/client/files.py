"""Files in sync (SYNC.md, Blobs): uploads before the records that name them, lazy downloads, a cache limit.

- **Up.** Before a push batch goes out, every `file_blobs` row in it has its file uploaded and confirmed:
  one presigned PUT straight to the storage, then "confirm" (the service reads it back and checks size and
  SHA-256), four files at a time. A file the service has already is not sent again. An upload cut midway
  simply starts again at the next sync (one PUT per file, nothing to resume). A file the service refuses
  for good (over the storage quota, too large) keeps its row and the rows that name it out of the batch;
  they are listed with the reason in the sync panel, and go again once they change (or on "Retry").
- **Down.** Nothing is downloaded with a pull. Thumbnails are fetched right after a pull that brought rows
  naming them (`fetch_thumbnails`); meshes and sliced files when the user opens them (`ensure_local`).
  A download goes to a temporary file, is checked against the SHA-256 it is stored under, then renamed into
  the file store: a cut download or a wrong file leaves nothing behind.
- **Cache.** `trim_cache` deletes the least recently used downloaded-or-uploaded files past a size limit,
  but only files the service is known to hold (their `file_blobs` row is not waiting in the outbox) and never
  thumbnails: the library stays browsable offline, and a file that exists only here is never deleted.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import select

from core.db.models import FileBlob, Model, ModelFile, OutboxEntry, SlicedFile
from core.store.blobs import file_sha256
from core.workspace import Workspace
from sync import protocol
from sync.client.transport import Refused, SyncError

log = logging.getLogger(__name__)

DEFAULT_CACHE_LIMIT_BYTES = 5 * 1024**3
# Files sent side by side: small files are bound by round trips, not bandwidth.
UPLOADS_AT_ONCE = 4


class FileTransport(Protocol):
    def blob_upload(self, sha256: str, size: int) -> protocol.BlobUploadResponse: ...
    def blob_confirm(self, sha256: str, size: int) -> protocol.BlobConfirmResponse: ...
    def blob_download(self, sha256: str) -> protocol.PresignedRequest: ...
    def put_file(self, url: str, headers: dict[str, str], source: IO[bytes]) -> None: ...
    def get_file(self, url: str, headers: dict[str, str], out: IO[bytes]) -> int: ...


class FileMissing(SyncError):
    """A file is not on this computer and could not be downloaded."""


@dataclass(frozen=True)
class Unsendable:
    """A file the service will not take (quota, size): its blob id and the service's sentence."""

    blob_id: str
    reason: str


def upload(ws: Workspace, transport: FileTransport, blobs: Iterable[FileBlob]) -> list[Unsendable]:
    """Upload and confirm each of `blobs` the service does not have yet, `UPLOADS_AT_ONCE` at a time.
    Connection trouble raises (the push stops and starts again later); a refusal for good is returned, so
    the batch goes without it."""
    wanted = list(blobs)
    with ThreadPoolExecutor(UPLOADS_AT_ONCE, thread_name_prefix="printstall-upload") as pool:
        futures = [pool.submit(_upload_one, ws, transport, blob) for blob in wanted]
        outcomes = [future.exception() or future.result() for future in futures]
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [outcome for outcome in outcomes if isinstance(outcome, Unsendable)]


def _upload_one(ws: Workspace, transport: FileTransport, blob: FileBlob) -> Unsendable | None:
    path = ws.blobs.path_for(blob.sha256)
    if not path.is_file():
        return None  # made on another computer and never downloaded here: the service had it then
    size = path.stat().st_size
    try:
        answer = transport.blob_upload(blob.sha256, size)
        if not answer.exists:
            assert answer.url is not None
            with path.open("rb") as source:
                transport.put_file(answer.url, dict(answer.headers), source)
            transport.blob_confirm(blob.sha256, size)
    except Refused as error:
        return Unsendable(blob.id, f"{protocol.INVALID_VALUE}: {error}")
    return None


def ensure_local(ws: Workspace, transport: FileTransport, sha256: str) -> Path:
    """The file's path here, downloading it first when only the service has it."""
    path = ws.blobs.path_for(sha256)
    if path.is_file():
        os.utime(path)  # recently used: the cache keeps it longest
        return path
    link = transport.blob_download(sha256)
    tmp_dir = ws.blobs.root / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="download-")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            transport.get_file(link.url, dict(link.headers), out)
            out.flush()
            os.fsync(out.fileno())
        if file_sha256(tmp) != sha256:
            raise FileMissing("The downloaded file is not the one asked for; it was not kept.")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def thumbnail_shas(ws: Workspace) -> set[str]:
    """The SHA-256 of every thumbnail a live model or sliced file names."""
    with ws.read() as session:
        ids: set[str] = set(
            session.scalars(
                select(Model.thumbnail_blob_id).where(
                    Model.owner_id == ws.owner_id,
                    Model.deleted.is_(False),
                    Model.thumbnail_blob_id.is_not(None),
                )
            )
        )
        for listed in session.scalars(
            select(SlicedFile.thumbnail_blob_ids).where(
                SlicedFile.owner_id == ws.owner_id, SlicedFile.deleted.is_(False)
            )
        ):
            ids.update(str(item) for item in listed or [])
        return set(
            session.scalars(
                select(FileBlob.sha256).where(FileBlob.owner_id == ws.owner_id, FileBlob.id.in_(ids))
            )
        )


def fetch_thumbnails(ws: Workspace, transport: FileTransport) -> int:
    """Download the thumbnails this computer lacks; how many came. Failures are logged, not raised: a
    missing thumbnail shows a placeholder and is fetched after the next sync."""
    fetched = 0
    for sha in sorted(thumbnail_shas(ws)):
        if ws.blobs.has(sha):
            continue
        try:
            ensure_local(ws, transport, sha)
            fetched += 1
        except SyncError as error:
            log.info("thumbnail %s not fetched: %s", sha[:12], error)
    return fetched


def trim_cache(ws: Workspace, limit_bytes: int = DEFAULT_CACHE_LIMIT_BYTES) -> int:
    """Delete the least recently used files the service holds until the store is under `limit_bytes`;
    the bytes freed."""
    with ws.read() as session:
        waiting = set(
            session.scalars(
                select(OutboxEntry.row_id).where(OutboxEntry.table_name == FileBlob.__tablename__)
            )
        )
        known: dict[str, str] = {
            row.id: row.sha256
            for row in session.execute(
                select(FileBlob.id, FileBlob.sha256).where(FileBlob.owner_id == ws.owner_id)
            )
        }
    keep = thumbnail_shas(ws) | {sha for blob_id, sha in known.items() if blob_id in waiting}
    synced = set(known.values()) - keep
    files = []
    total = 0
    for sha in set(known.values()):
        path = ws.blobs.path_for(sha)
        if path.is_file():
            stat = path.stat()
            total += stat.st_size
            if sha in synced:
                files.append((stat.st_mtime, stat.st_size, path))
    freed = 0
    for _used, size, path in sorted(files):
        if total - freed <= limit_bytes:
            break
        path.unlink(missing_ok=True)
        freed += size
    return freed


def referencing_rows(ws: Workspace, blob_ids: set[str]) -> set[tuple[str, str]]:
    """(table, id) of the rows that name any of `blob_ids` (they wait for their file)."""
    rows: set[tuple[str, str]] = set()
    with ws.read() as session:
        for row_id in session.scalars(select(ModelFile.id).where(ModelFile.blob_id.in_(blob_ids))):
            rows.add((ModelFile.__tablename__, row_id))
        for row_id in session.scalars(select(SlicedFile.id).where(SlicedFile.blob_id.in_(blob_ids))):
            rows.add((SlicedFile.__tablename__, row_id))
    return rows
