"""Cleanup of the cloud data: purging old tombstones, collecting unreferenced files, the daily job.

Hard deletes run as the role `printstall_purge` (migration s0003) in `purge_transaction`: SELECT and DELETE on
the synced and sync tables, nothing else, and the same row-level security as every request, so a purge can
only ever remove the rows of the owner it names. Each purge takes the owner's sync lock first (their
`server.sync_state` row), so it never interleaves with a push that is merging the same rows.

- `purge_tombstones`: record rows with `deleted = true` whose `deleted_at` (or `updated_at` when a client
  left `deleted_at` empty) is older than the cut-off. Ledger rows are never touched here; only deleting the
  whole account (`erase_owner_rows`) removes them. Times are compared as RFC 3339 text (SYNC.md: every time
  is `YYYY-MM-DDTHH:MM:SS.ffffffZ`), so a malformed value can never make the purge fail.
- `collect_blobs`: deletes the owner's stored files (`users/<owner>/blobs/<sha256>`) that no row references
  and that were uploaded longer ago than `grace` (a client uploads a file before it pushes the record that
  names it). References: `model_files.blob_id`, `sliced_files.blob_id`, `sliced_files.thumbnail_blob_ids`
  and `models.thumbnail_blob_id`, each a FileBlob id (`core.ids.blob_id(sha256)`, or mapped to its SHA-256
  through `file_blobs`). Decision: **a tombstoned row still references its files** until the tombstone is
  purged, so a model restored from the trash within 30 days gets its files back; "empty trash" and the
  daily purge free them. The quota is the sum of the listing (`BlobStore.usage_bytes`), so deleted files
  leave it at once.
- `run_maintenance`: the daily job of `printstall-server maintenance`.

Known trade-off: a device offline for longer than the trash retention does not learn of deletes purged in
the meantime (its pull never sees the tombstone), and an edit it pushes later brings such a row back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from core.db.models import SYNCED_MODELS
from core.ids import blob_id
from sync.server import usage
from sync.server.accounts.pg import PostgresRepository
from sync.server.accounts.repository import AccountsRepository
from sync.server.blobs_api import store_from_settings
from sync.server.config import Settings
from sync.server.db import OWNER_SETTING, canonical_owner, create_db_engine, owner_transaction
from sync.server.storage import BlobStore, StorageError

log = logging.getLogger(__name__)

PURGE_ROLE = "printstall_purge"
TRASH_RETENTION = timedelta(days=30)
BLOB_GRACE = timedelta(hours=24)
EXPORT_RETENTION = timedelta(days=7)

RECORD_TABLES = tuple(model.__tablename__ for model in SYNCED_MODELS if model.sync_kind == "record")
LEDGER_TABLES = tuple(model.__tablename__ for model in SYNCED_MODELS if model.sync_kind == "ledger")
# (table, column) of every column that holds one FileBlob id.
BLOB_REFERENCES = (("model_files", "blob_id"), ("sliced_files", "blob_id"), ("models", "thumbnail_blob_id"))


@contextmanager
def purge_transaction(engine: Engine, owner_id: str) -> Iterator[Connection]:
    """A transaction as `printstall_purge` for `owner_id`: committed when the block ends."""
    owner = canonical_owner(owner_id)
    with engine.begin() as conn:
        conn.execute(text(f"SET LOCAL ROLE {PURGE_ROLE}"))
        conn.execute(select(func.set_config(OWNER_SETTING, owner, True)))
        yield conn


def _lock_owner(conn: Connection, owner: str) -> None:
    """Waits for the owner's running push, if any (the sync lock of SYNC.md, Push)."""
    conn.execute(text("SELECT 1 FROM server.sync_state WHERE owner_id = :o FOR UPDATE"), {"o": owner})


def rfc3339(moment: datetime) -> str:
    """A time as the synced columns hold it: UTC, microseconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------- rows


def purge_tombstones(engine: Engine, owner_id: str, older_than: datetime | None) -> int:
    """Hard-deletes the owner's tombstoned records deleted before `older_than` (every one when None);
    returns how many rows went. Ledger rows are never touched."""
    owner = canonical_owner(owner_id)
    condition = "owner_id = :o AND deleted"
    params: dict[str, object] = {"o": owner}
    if older_than is not None:
        condition += " AND coalesce(deleted_at, updated_at) < :cut"
        params["cut"] = rfc3339(older_than)
    purged = 0
    with purge_transaction(engine, owner) as conn:
        _lock_owner(conn, owner)
        for table in RECORD_TABLES:
            purged += conn.execute(text(f"DELETE FROM {table} WHERE {condition}"), params).rowcount
    return purged


def erase_owner_rows(engine: Engine, owner_id: str) -> int:
    """Deletes every synced row of the owner (records and ledger) and their sync state and batches, in one
    transaction (account deletion); returns how many synced rows went."""
    owner = canonical_owner(owner_id)
    erased = 0
    with purge_transaction(engine, owner) as conn:
        _lock_owner(conn, owner)
        for table in (*RECORD_TABLES, *LEDGER_TABLES):
            erased += conn.execute(text(f"DELETE FROM {table} WHERE owner_id = :o"), {"o": owner}).rowcount
        conn.execute(text("DELETE FROM server.sync_batches WHERE owner_id = :o"), {"o": owner})
        conn.execute(text("DELETE FROM server.stored_blobs WHERE owner_id = :o"), {"o": owner})
        conn.execute(text("DELETE FROM server.sync_state WHERE owner_id = :o"), {"o": owner})
    return erased


def sync_owners(engine: Engine) -> list[str]:
    """Every owner that has synced (`server.sync_state`; the purge role may list it, policy of s0003)."""
    with engine.begin() as conn:
        conn.execute(text(f"SET LOCAL ROLE {PURGE_ROLE}"))
        rows = conn.execute(text("SELECT owner_id FROM server.sync_state ORDER BY owner_id"))
        return [str(row.owner_id) for row in rows]


# ---------------------------------------------------------------- files


@dataclass(frozen=True)
class CollectedBlobs:
    files: int
    bytes_freed: int


def referenced_sha256s(engine: Engine, owner_id: str, candidates: Iterable[str]) -> set[str]:
    """Which of the `candidates` (SHA-256s) a row of the owner references, tombstoned rows included."""
    ids: set[str] = set()
    with owner_transaction(engine, owner_id, read_only=True) as conn:
        for table, column in BLOB_REFERENCES:
            rows = conn.execute(text(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"))
            ids.update(str(value) for (value,) in rows)
        for (value,) in conn.execute(text("SELECT thumbnail_blob_ids FROM sliced_files")):
            if isinstance(value, list):
                ids.update(item for item in value if isinstance(item, str))
        mapped = {
            str(sha).lower()
            for row_id, sha in conn.execute(text("SELECT id, sha256 FROM file_blobs"))
            if row_id in ids
        }
    return {sha for sha in candidates if sha in mapped or blob_id(sha) in ids}


def collect_blobs(
    engine: Engine,
    store: BlobStore,
    owner_id: str,
    grace: timedelta = BLOB_GRACE,
    *,
    now: datetime | None = None,
) -> CollectedBlobs:
    """Deletes the owner's stored files that no row references and that are older than `grace`.

    The listing is read before the references, so a file a record named before the references were read is
    always kept; a file younger than `grace` is kept whatever names it.
    """
    owner = canonical_owner(owner_id)
    cut = (now or datetime.now(UTC)) - grace
    old = [item for item in store.list_blobs(owner) if item.last_modified < cut]
    if not old:
        return CollectedBlobs(0, 0)
    keep = referenced_sha256s(engine, owner, [item.name for item in old])
    unreferenced = [item for item in old if item.name not in keep]
    if unreferenced:
        store.delete_blobs(owner, [item.name for item in unreferenced])
        usage.forget(engine, owner, [item.name for item in unreferenced])
    return CollectedBlobs(len(unreferenced), sum(item.size for item in unreferenced))


def delete_old_exports(store: BlobStore, owner_id: str, older_than: datetime) -> int:
    """Deletes the owner's exports made before `older_than`; returns how many went."""
    old = [item.name for item in store.list_exports(owner_id) if item.last_modified < older_than]
    return store.delete_exports(owner_id, old) if old else 0


# ---------------------------------------------------------------- the daily job


@dataclass
class MaintenanceSummary:
    owners: int = 0
    tombstones: int = 0
    files: int = 0
    bytes_freed: int = 0
    exports: int = 0
    sessions: int = 0
    counters: int = 0
    closed_cleared: int = 0
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"maintenance: {self.owners} owners, {self.tombstones} tombstones purged, "
            f"{self.files} unreferenced files deleted ({self.bytes_freed} bytes freed), "
            f"{self.exports} old exports deleted, "
            f"{self.sessions} expired sessions and codes and {self.counters} rate-limit counters pruned, "
            f"{self.closed_cleared} deleted accounts cleared, {len(self.failed)} owners failed"
        )


def run_maintenance(
    engine: Engine, store: BlobStore, accounts: AccountsRepository, *, now: datetime | None = None
) -> MaintenanceSummary:
    """For every owner (synced or with an account): purge tombstones older than `TRASH_RETENTION`, collect
    unreferenced files older than `BLOB_GRACE`, delete exports older than `EXPORT_RETENTION`. An owner of a
    deleted account that still has rows (a push that raced the deletion) has them and their files erased.
    Then expired refresh tokens, codes and rate-limit counters are pruned. One owner's failure (storage or
    database) is logged and counted; the others still run."""
    now = now or datetime.now(UTC)
    summary = MaintenanceSummary()
    owners = sorted(set(sync_owners(engine)) | set(accounts.list_user_ids()))
    summary.owners = len(owners)
    for owner in owners:
        try:
            if accounts.is_closed(owner):
                store.delete_account_objects(owner)
                erase_owner_rows(engine, owner)
                summary.closed_cleared += 1
                continue
            summary.tombstones += purge_tombstones(engine, owner, now - TRASH_RETENTION)
            collected = collect_blobs(engine, store, owner, now=now)
            summary.files += collected.files
            summary.bytes_freed += collected.bytes_freed
            usage.reconcile(engine, store, owner)  # the quota's count set to what the bucket holds
            summary.exports += delete_old_exports(store, owner, now - EXPORT_RETENTION)
        except (StorageError, SQLAlchemyError, ValueError):
            log.warning("maintenance failed for owner %s", owner, exc_info=True)
            summary.failed.append(owner)
    summary.sessions = accounts.prune_expired(now)
    summary.counters = accounts.prune_counters(now)
    return summary


def maintenance_command(settings: Settings) -> int:
    """`printstall-server maintenance`: the daily job on the configured database and storage; prints the
    summary line and returns the exit status (1 when an owner failed)."""
    engine = create_db_engine(settings)
    try:
        summary = run_maintenance(engine, store_from_settings(settings), PostgresRepository(engine))
    finally:
        engine.dispose()
    print(summary.line())
    return 1 if summary.failed else 0
