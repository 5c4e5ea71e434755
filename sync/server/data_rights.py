"""The user's data rights: a copy of everything (GDPR export) and deleting the account with all its data.

**Export** (`export_account`): one zip archive, built in a temporary file (never in memory):
- `manifest.json`: format, version, owner, time, row count per table, and the files with their sizes;
- `account.json`: the account as stored (address, creation, confirmation; never the password hash);
- `audit.json`: the account's audit log;
- `tables/<table>.json`: every row of every synced table, ledger included, as one JSON array (read in one
  REPEATABLE READ snapshot as `printstall_app`, so row-level security shows only this owner's rows);
- `files/<sha256>`: every stored file of the owner.
It is uploaded to `users/<owner>/exports/<uuid>.zip` (outside `blobs/`, so not in the quota) and handed out
as a presigned GET valid for an hour; the daily job deletes exports after 7 days.

**Deletion** (`delete_account`), after the current password was given again:
1. every object under `users/<owner>/` (files and exports);
2. every synced row of the owner, records and ledger, with the sync state and batches, in one transaction;
3. the user row with its sessions, codes and audit log, leaving one `account_deleted` audit entry (no email,
   no address), after which the account's unexpired access tokens are refused (`AccountService.authenticate`).
A failure in step 1 or 2 answers 503 and leaves the account usable, so the user can try again; the steps
repeat harmlessly. Objects are listed and deleted once more after step 3, for a file uploaded meanwhile; a
push that races step 2 is erased by the daily job (it finds the owner in `server.sync_state`).
"""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from core.db.models import SYNCED_MODELS
from sync.server.accounts.errors import DeletionFailed, ExportFailed
from sync.server.accounts.service import AccountService
from sync.server.accounts.tokens import AccessClaims
from sync.server.cleanup import erase_owner_rows
from sync.server.db import canonical_owner, owner_transaction
from sync.server.storage import BlobNotFound, BlobStore, StorageError, StorageUnavailable

log = logging.getLogger(__name__)

EXPORT_FORMAT = "printstall-export"
EXPORT_VERSION = 1
STORAGE_DOWN = (
    "Your account could not be deleted because the file storage did not answer; it still works, so try "
    "again later."
)
DATABASE_DOWN = (
    "Your account could not be deleted because the database did not answer; it still works, so try again "
    "later."
)
EXPORT_DOWN = "Your data could not be exported because the storage did not answer; try again later."


@dataclass(frozen=True)
class ExportLink:
    export_id: str
    url: str
    expires_at: datetime
    size: int


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True).encode("utf-8")


def _write_tables(archive: zipfile.ZipFile, engine: Engine, owner: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    with owner_transaction(engine, owner, read_only=True) as conn:
        for model in SYNCED_MODELS:
            table = model.__tablename__
            result = conn.execution_options(stream_results=True, yield_per=500).execute(
                text(f"SELECT * FROM {table} ORDER BY id")
            )
            count = 0
            with archive.open(f"tables/{table}.json", "w", force_zip64=True) as entry:
                entry.write(b"[")
                for row in result.mappings():
                    data = {key: value for key, value in row.items() if key != "seq"}
                    entry.write((b",\n" if count else b"\n") + _json_bytes(data))
                    count += 1
                entry.write(b"\n]\n")
            counts[table] = count
    return counts


def _write_files(archive: zipfile.ZipFile, store: BlobStore, owner: str) -> list[dict[str, Any]]:
    files = []
    for item in sorted(store.list_blobs(owner), key=lambda item: item.name):
        try:
            with archive.open(f"files/{item.name}", "w", force_zip64=True) as entry:
                size = store.read_blob_into(owner, item.name, entry)
        except BlobNotFound:  # deleted between the listing and the read (collected meanwhile)
            continue
        files.append({"sha256": item.name, "size": size})
    return files


def _account_facts(accounts: AccountService, owner: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    user = accounts.user(owner)
    account = (
        {}
        if user is None
        else {
            "id": user.id,
            "email": user.email,
            "created_at": user.created_at,
            "verified_at": user.verified_at,
            "password_changed_at": user.password_changed_at,
        }
    )
    audit = [
        {"at": e.at, "event": e.event, "device_id": e.device_id, "address": e.address, "detail": e.detail}
        for e in accounts.audit_log(owner, limit=100_000)
    ]
    return account, audit


def build_export(
    archive_file: IO[bytes], engine: Engine, store: BlobStore, accounts: AccountService, owner_id: str
) -> None:
    """Writes the owner's export archive into `archive_file` (a binary file open for writing)."""
    owner = canonical_owner(owner_id)
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        counts = _write_tables(archive, engine, owner)
        files = _write_files(archive, store, owner)
        account, audit = _account_facts(accounts, owner)
        archive.writestr("account.json", _json_bytes(account))
        archive.writestr("audit.json", _json_bytes(audit))
        manifest = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "owner_id": owner,
            "created_at": datetime.now(UTC),
            "tables": counts,
            "files": files,
        }
        archive.writestr("manifest.json", _json_bytes(manifest))


def export_account(
    engine: Engine, store: BlobStore, accounts: AccountService, claims: AccessClaims, *, address: str | None
) -> ExportLink:
    """Builds, stores and links the caller's export (`ExportFailed` when the storage or database fails)."""
    owner = canonical_owner(claims.user_id)
    export_id = str(uuid.uuid4())
    try:
        with tempfile.TemporaryFile(prefix="printstall-export-") as archive_file:
            build_export(archive_file, engine, store, accounts, owner)
            size = archive_file.tell()
            archive_file.seek(0)
            store.put_export(owner, export_id, archive_file)
        link = store.presigned_export_get(owner, export_id)
    except StorageError as error:
        raise ExportFailed(EXPORT_DOWN) from error
    except SQLAlchemyError as error:
        raise ExportFailed("Your data could not be exported because the database did not answer.") from error
    accounts.record(
        owner, "export_requested", device_id=claims.device_id, address=address, export_id=export_id, size=size
    )
    return ExportLink(export_id=export_id, url=link.url, expires_at=link.expires_at, size=size)


def delete_account(
    engine: Engine, store: BlobStore, accounts: AccountService, claims: AccessClaims, password: str
) -> None:
    """Deletes the caller's account and all its data (see the module docstring for the order)."""
    accounts.confirm_password(claims, password)
    owner = canonical_owner(claims.user_id)
    try:
        objects = store.delete_account_objects(owner)
    except StorageError as error:
        raise DeletionFailed(STORAGE_DOWN) from error
    try:
        rows = erase_owner_rows(engine, owner)
    except SQLAlchemyError as error:
        raise DeletionFailed(DATABASE_DOWN) from error
    accounts.close_account(claims, rows=rows, objects=objects)
    try:
        store.delete_account_objects(owner)
    except StorageUnavailable:
        log.warning("a file uploaded during an account deletion may be left in storage", exc_info=True)
