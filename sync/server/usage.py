"""How many bytes of files each owner stores: `server.stored_blobs` (migration s0004), one row per confirmed
file, so the quota check at upload and at confirm is an indexed sum, not a listing of the bucket.

The bucket stays the truth: `reconcile` (the daily job) sets an owner's rows to its listing, which heals any
drift (a crash between deleting an object and its row) and counts files stored before s0004.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, text

from sync.server.db import canonical_owner, owner_transaction
from sync.server.storage import BlobStore


def used_bytes(engine: Engine, owner_id: str) -> int:
    with owner_transaction(engine, owner_id, read_only=True) as conn:
        total = conn.execute(text("SELECT coalesce(sum(size), 0) FROM server.stored_blobs")).scalar_one()
    return int(total)


def stored_size(engine: Engine, owner_id: str, sha256: str) -> int | None:
    """The size of a confirmed file of the owner, or None if it has none with that SHA-256."""
    with owner_transaction(engine, owner_id, read_only=True) as conn:
        size = conn.execute(
            text("SELECT size FROM server.stored_blobs WHERE sha256 = :sha"), {"sha": sha256}
        ).scalar_one_or_none()
    return None if size is None else int(size)


def record(engine: Engine, owner_id: str, sha256: str, size: int) -> bool:
    """Note a confirmed file; True if it was not noted before (a new file for the quota)."""
    owner = canonical_owner(owner_id)
    with owner_transaction(engine, owner) as conn:
        inserted = conn.execute(
            text(
                "INSERT INTO server.stored_blobs (owner_id, sha256, size) VALUES (:o, :sha, :size) "
                "ON CONFLICT (owner_id, sha256) DO UPDATE SET size = EXCLUDED.size "
                "RETURNING (xmax = 0) AS inserted"
            ),
            {"o": owner, "sha": sha256, "size": size},
        ).scalar_one()
    return bool(inserted)


def forget(engine: Engine, owner_id: str, sha256s: Iterable[str]) -> None:
    names = list(sha256s)
    if not names:
        return
    with owner_transaction(engine, owner_id) as conn:
        conn.execute(text("DELETE FROM server.stored_blobs WHERE sha256 = ANY(:names)"), {"names": names})


def reconcile(engine: Engine, store: BlobStore, owner_id: str) -> int:
    """Set the owner's rows to what the bucket holds; the bytes it holds."""
    owner = canonical_owner(owner_id)
    listed = store.list_blobs(owner)
    with owner_transaction(engine, owner) as conn:
        conn.execute(text("DELETE FROM server.stored_blobs"))
        if listed:
            conn.execute(
                text("INSERT INTO server.stored_blobs (owner_id, sha256, size) VALUES (:o, :sha, :size)"),
                [{"o": owner, "sha": item.name, "size": item.size} for item in listed],
            )
    return sum(item.size for item in listed)
