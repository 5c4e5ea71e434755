"""Backup files in a data folder's `backups/`: writing one (a SQLite snapshot and its manifest), listing them,
and rotating old ones away. Works on paths only, so opening a workspace can back up its database before the
migrations run; `core.services.backups` is the workspace-level side (create, restore, the daily backup).

One backup is two files with the same name: `<name>.sqlite3`, a consistent snapshot made with SQLite's online
backup API, and `<name>.json`, its manifest (app version, schema revision, when, why, the database's size and
SHA-256, the files it names, row counts). Both are written under a temporary name, flushed to disk and then
renamed, the manifest last: a backup without its manifest is not one, so a process killed mid-backup leaves no
half backup under a real name, only `.partial` files that a later backup clears away.

This install's own state never goes into a backup: the snapshot keeps only the owner from `local_state` (not
the last clock value, which ends in this install's device id, nor the sync cursor and batches) and no outbox,
and it is vacuumed so no deleted bytes of them linger. The device id itself lives in the config file, outside
the data folder. Clock values and ledger rows in the synced tables do name the devices that made them: that is
the data itself, which every synced copy holds too.

Rotation (after every backup): daily backups, the 7 newest plus the newest of each of the 4 weeks before
them; the 10 newest manual ones, the 5 newest made before a restore and the 3 newest made before a database
upgrade. Backups of any other kind, and files not named like a backup, are never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import __version__
from core.db.models import MODEL_BY_TABLE
from core.store.blobs import file_sha256
from core.timeutil import parse, to_text

FORMAT = "printstall-backup"
FORMAT_VERSION = 1
DB_SUFFIX = ".sqlite3"
MANIFEST_SUFFIX = ".json"
PARTIAL = ".partial"
REASONS = ("daily", "manual", "pre-migration", "pre-restore")
# How many of each kind rotation keeps (see the module docstring).
KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP = {"manual": 10, "pre-restore": 5, "pre-migration": 3}
# Leftovers of a killed backup are cleared once they are this old (a backup may be running beside us).
STALE_SECONDS = 3600
# The one `local_state` key a backup keeps (core.workspace.OWNER_KEY): whose records these are.
KEPT_STATE_KEYS = ("owner_id",)
NAME_PATTERN = re.compile(r"^(\d{4}-\d{2}-\d{2}_\d{6}Z)_([a-z-]+?)(?:-(\d+))?$")
CHUNK = 1024 * 1024
# What a maker recognises a backup by: live rows of these tables, counted into the manifest's "contents".
CONTENT_TABLES = ("models", "products", "spools", "market_events", "sales")


class BackupDamaged(Exception):
    """A backup's files are missing, unreadable or not what its manifest says (internal: the services turn
    it into a sentence for the user)."""


@dataclass(frozen=True)
class Backup:
    """One backup as listed: what the manifest says, and where its files are."""

    name: str
    reason: str
    created_at: str  # RFC 3339 UTC
    size: int  # bytes of the snapshot
    records: int  # rows of synced tables (ledger, audit, tags and tombstones included)
    app_version: str
    schema: list[str]
    blobs: list[dict[str, Any]] = field(default_factory=list)  # [{"sha256", "size"}] the database names
    rows: dict[str, int] = field(default_factory=dict)  # per table
    contents: dict[str, int] = field(default_factory=dict)  # CONTENT_TABLES' live rows; empty in old backups
    owner_id: str = ""
    sha256: str = ""
    folder: Path = Path()

    @property
    def path(self) -> Path:
        return self.folder / f"{self.name}{DB_SUFFIX}"

    @property
    def manifest_path(self) -> Path:
        return self.folder / f"{self.name}{MANIFEST_SUFFIX}"

    @property
    def created(self) -> datetime:
        return parse(self.created_at)


# ---------------------------------------------------------------- writing


def write_backup(db_path: Path, folder: Path, reason: str, now: datetime | None = None) -> Backup:
    """Back up the SQLite database at `db_path` (which may be open and in use) into `folder`, then rotate."""
    if reason not in REASONS:
        raise ValueError(f"not a backup reason: {reason!r}")
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    name = _free_name(folder, f"{now.astimezone(UTC):%Y-%m-%d_%H%M%SZ}_{reason}")
    partial = folder / f"{name}{DB_SUFFIX}{PARTIAL}"
    try:
        _snapshot(db_path, partial)
        facts = _facts(partial)
        sha, size = _fsync_and_hash(partial)
        partial.replace(folder / f"{name}{DB_SUFFIX}")
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "app_version": __version__,
            "created_at": to_text(now),
            "reason": reason,
            "database": {"file": f"{name}{DB_SUFFIX}", "size": size, "sha256": sha},
            **facts,
        }
        _write_atomically(folder / f"{name}{MANIFEST_SUFFIX}", json.dumps(manifest, indent=1, sort_keys=True))
        _fsync_folder(folder)
    finally:
        for leftover in (partial, Path(f"{partial}-journal")):
            if leftover.exists():
                leftover.unlink()
    rotate(folder, now)
    return _from_manifest(folder, name, manifest)


def _free_name(folder: Path, base: str) -> str:
    name, n = base, 1
    while any((folder / f"{name}{s}").exists() for s in (DB_SUFFIX, MANIFEST_SUFFIX, DB_SUFFIX + PARTIAL)):
        n += 1
        name = f"{base}-{n}"
    return name


def _snapshot(db_path: Path, target: Path) -> None:
    """A consistent copy through the online backup API, self-contained and rid of this install's state."""
    source = sqlite3.connect(db_path)
    try:
        copy = sqlite3.connect(target, isolation_level=None)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            tables = _tables(copy)
            copy.execute("BEGIN")
            if "local_state" in tables:
                marks = ",".join("?" * len(KEPT_STATE_KEYS))
                copy.execute(f"DELETE FROM local_state WHERE key NOT IN ({marks})", KEPT_STATE_KEYS)
            if "outbox" in tables:
                copy.execute("DELETE FROM outbox")
            copy.execute("COMMIT")
            copy.execute("VACUUM")  # no free page keeps what was deleted
        finally:
            copy.close()
    finally:
        source.close()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _facts(path: Path) -> dict[str, Any]:
    """What the manifest tells about the snapshot: schema, owner, row counts and the files it names."""
    conn = sqlite3.connect(path)
    try:
        tables = _tables(conn)
        schema = (
            sorted(v for (v,) in conn.execute("SELECT version_num FROM alembic_version"))
            if "alembic_version" in tables
            else []
        )
        rows = {
            table: int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            for table in MODEL_BY_TABLE
            if table in tables
        }
        contents = {
            table: int(
                conn.execute(f'SELECT count(*) FROM "{table}"{_live(MODEL_BY_TABLE[table])}').fetchone()[0]
            )
            for table in CONTENT_TABLES
            if table in tables
        }
        blobs = (
            [
                {"sha256": sha, "size": size}
                for sha, size in conn.execute(
                    "SELECT DISTINCT sha256, size FROM file_blobs WHERE NOT deleted ORDER BY sha256"
                )
            ]
            if "file_blobs" in tables
            else []
        )
        owner = None
        if "local_state" in tables:
            found = conn.execute("SELECT value FROM local_state WHERE key = ?", KEPT_STATE_KEYS).fetchone()
            owner = found[0] if found else None
    finally:
        conn.close()
    return {
        "schema": schema,
        "rows": rows,
        "records": sum(rows.values()),
        "contents": contents,
        "blobs": blobs,
        "owner_id": owner,
    }


def _live(model: Any) -> str:
    """The WHERE clause that leaves out the trash, for a table that has one."""
    return " WHERE NOT deleted" if "deleted" in model.__table__.c else ""


def _fsync_and_hash(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb+") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        os.fsync(f.fileno())
    return digest.hexdigest(), size


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + PARTIAL)
    with tmp.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (POSIX; Windows cannot open a folder, and its renames need no help)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- reading


def read_backups(folder: Path) -> list[Backup]:
    """Every complete backup in `folder`, newest first. A manifest that cannot be read is left out."""
    if not folder.is_dir():
        return []
    found = []
    for manifest in folder.glob(f"*{MANIFEST_SUFFIX}"):
        name = manifest.name[: -len(MANIFEST_SUFFIX)]
        if not NAME_PATTERN.match(name) or not (folder / f"{name}{DB_SUFFIX}").is_file():
            continue
        try:
            found.append(load(folder, name))
        except BackupDamaged:
            continue
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def load(folder: Path, name: str) -> Backup:
    try:
        data = json.loads((folder / f"{name}{MANIFEST_SUFFIX}").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupDamaged("its manifest cannot be read") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupDamaged("its manifest is not a Printstall backup's")
    return _from_manifest(folder, name, data)


def _from_manifest(folder: Path, name: str, data: dict[str, Any]) -> Backup:
    try:
        database = data["database"]
        return Backup(
            name=name,
            reason=str(data["reason"]),
            created_at=str(data["created_at"]),
            size=int(database["size"]),
            records=int(data.get("records", 0)),
            app_version=str(data.get("app_version", "")),
            schema=[str(s) for s in data.get("schema", [])],
            blobs=list(data.get("blobs", [])),
            rows={str(k): int(v) for k, v in dict(data.get("rows", {})).items()},
            contents={str(k): int(v) for k, v in dict(data.get("contents", {})).items()},
            owner_id=str(data.get("owner_id") or ""),
            sha256=str(database["sha256"]),
            folder=folder,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupDamaged("its manifest is incomplete") from exc


def verify(backup: Backup) -> None:
    """The snapshot is there, whole and what the manifest says; BackupDamaged otherwise."""
    try:
        if backup.path.stat().st_size != backup.size or file_sha256(backup.path) != backup.sha256:
            raise BackupDamaged("its database file has changed since it was made")
    except FileNotFoundError as exc:
        raise BackupDamaged("its database file is missing") from exc
    except OSError as exc:
        raise BackupDamaged(f"its database file cannot be read ({exc.strerror})") from exc


# ---------------------------------------------------------------- rotation


def rotate(folder: Path, now: datetime | None = None) -> list[str]:
    """Remove the backups rotation no longer keeps, and leftovers of killed backups; the names removed."""
    backups = read_backups(folder)  # newest first
    keep: set[str] = set()
    daily = [b for b in backups if b.reason == "daily"]
    keep.update(b.name for b in daily[:KEEP_DAILY])
    weeks: list[tuple[int, int]] = []
    for b in daily[KEEP_DAILY:]:
        week = tuple(b.created.isocalendar())[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.append((week[0], week[1]))
            keep.add(b.name)
    for reason, count in KEEP.items():
        keep.update(b.name for b in [b for b in backups if b.reason == reason][:count])
    removed = []
    for b in backups:
        if b.reason in REASONS and b.name not in keep:
            b.manifest_path.unlink(missing_ok=True)  # the manifest first: a half-removed backup is not listed
            b.path.unlink(missing_ok=True)
            removed.append(b.name)
    _clear_leftovers(folder, {b.name for b in backups}, now)
    return removed


def _clear_leftovers(folder: Path, listed: Iterable[str], now: datetime | None) -> None:
    """`.partial` files and snapshots without a manifest, once they are old enough not to be in progress."""
    listed = set(listed)
    cutoff = (now.timestamp() if now else time.time()) - STALE_SECONDS
    for path in folder.iterdir():
        if not path.is_file():
            continue
        stem = path.name.split(".", 1)[0]
        if not NAME_PATTERN.match(stem):
            continue
        leftover = PARTIAL in path.name or (path.name.endswith(DB_SUFFIX) and stem not in listed)
        if leftover and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
