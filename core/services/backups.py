"""Automatic and manual backups of a data folder, and restoring one (the files themselves:
`core.store.backup_files`, whose docstring has the layout and the rotation).

**Restoring** never loses the current state and keeps the open database valid (the app's engine, a sync
running beside it): the backup is checked (its manifest, its SHA-256, `PRAGMA integrity_check`), copied aside
and brought to the current schema; then the current state is backed up ("pre-restore"); then, in one write
transaction, the synced tables are rewritten from the copy:

- every record of the backup gets its values back, stamped as a new edit: every field gets this
  transaction's clock and the row an outbox entry, so the next sync sends the restored state to the other
  computers and an older value there cannot undo it. (On a folder that was never signed in this is the same as
  a plain copy, only with newer clocks.)
- records made after the backup go to the trash (a tombstone, also a new edit), where they can still be
  brought back.
- ledger rows (stock movements, sales, filament use, the audit trail) are history and are never removed: rows
  the backup has that this folder lost come back; rows made after the backup stay (sync would bring them back
  from the other computers anyway). So stock and spool weights are the backup's plus what moved since.
- this install's own state (`local_state`: the owner, the clock, the sync cursor) and the outbox stay; the
  clock moves past the newest clock in the backup.

A backup made before the folder was signed in (its records belong to the local owner) is restored into the
account the folder now belongs to, the way signing in adopts records; a backup of another account is refused.
Files the backup names that are not in the file store are reported, not fatal (on a signed-in computer they
are fetched from the service when opened).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from core.changes import UnitOfWork
from core.db import migrate
from core.db.base import Ledger, record_fields
from core.db.engine import create_sqlite_engine, make_sessionmaker
from core.db.models import SYNCED_MODELS, LocalState, OutboxEntry
from core.errors import Conflict, NotFound, StoreError, ValidationError
from core.services.ownership import move_records
from core.services.transfer import count_records
from core.store import backup_files
from core.store.backup_files import Backup, BackupDamaged
from core.workspace import BACKUPS_FOLDER, LOCAL_OWNER, OWNER_KEY, Workspace

SQL_CHUNK = 500  # ids per IN (...) list, well under SQLite's bound-parameter limit

__all__ = [
    "Backup",
    "RestoreResult",
    "backup_if_due",
    "create_backup",
    "due_daily_backup",
    "find_backup",
    "list_backups",
    "restore_backup",
]


@dataclass(frozen=True)
class RestoreResult:
    backup: Backup
    safety_backup: Backup  # the state just before the restore
    restored: int  # records given the backup's values
    trashed: int  # records made after the backup, now in the trash
    ledger_added: int  # ledger rows the backup had and this folder did not
    ledger_kept: int  # ledger rows made after the backup, kept
    signed_in: bool  # the restored values go to the other computers as new edits
    missing_files: list[str] = field(default_factory=list)  # SHA-256 of files not in the file store


def backups_dir(ws: Workspace) -> Path:
    return ws.data_dir / BACKUPS_FOLDER


def create_backup(ws: Workspace, reason: str = "manual", now: datetime | None = None) -> Backup:
    """Back up the workspace's database (it stays usable meanwhile), then rotate old backups away."""
    try:
        return backup_files.write_backup(ws.db_path, backups_dir(ws), reason, now)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"Could not write a backup in {backups_dir(ws)}: {exc}.") from exc


def list_backups(ws: Workspace) -> list[Backup]:
    """Every backup of the data folder, newest first."""
    return backup_files.read_backups(backups_dir(ws))


def find_backup(ws: Workspace, ref: str) -> Backup:
    """A backup by its name or its number in the list (1 is the newest)."""
    backups = list_backups(ws)
    ref = ref.strip()
    if ref.isdigit() and 1 <= int(ref) <= len(backups):
        return backups[int(ref) - 1]
    for backup in backups:
        if backup.name == ref or backup.name == ref.removesuffix(backup_files.DB_SUFFIX):
            return backup
    if (backups_dir(ws) / f"{ref}{backup_files.MANIFEST_SUFFIX}").exists():
        raise ValidationError(
            f"The backup {ref} is damaged: its manifest cannot be read. Nothing was changed."
        )
    raise NotFound("backup", ref)


def due_daily_backup(ws: Workspace, now: datetime | None = None) -> bool:
    """Whether today's backup is still to be made: the folder holds records and no backup (of any kind) was
    made on this calendar day, in local time."""
    now = now or datetime.now().astimezone()
    backups = list_backups(ws)
    if backups and backups[0].created.astimezone(now.tzinfo).date() >= now.date():
        return False
    return count_records(ws) > 0


def backup_if_due(ws: Workspace, now: datetime | None = None) -> Backup | None:
    """The daily backup, when it is due (the app checks at start and every hour)."""
    return create_backup(ws, "daily", now) if due_daily_backup(ws, now) else None


# ---------------------------------------------------------------- restoring


def restore_backup(ws: Workspace, backup: Backup | str, now: datetime | None = None) -> RestoreResult:
    """Bring the records back to the backup's state (see the module docstring). A damaged backup is refused
    with one sentence before anything is changed."""
    chosen = backup if isinstance(backup, Backup) else find_backup(ws, backup)
    with tempfile.TemporaryDirectory(prefix="printstall-restore-") as scratch:
        copy = Path(scratch) / "backup.sqlite3"
        tables = _read_backup(chosen, copy, ws.owner_id)
        safety = create_backup(ws, "pre-restore", now)
        result = _rewrite(ws, chosen, safety, tables)
    missing = sorted({str(b["sha256"]) for b in chosen.blobs if not ws.blobs.has(str(b["sha256"]))})
    return replace(result, missing_files=missing)


def _damaged(backup: Backup, why: str) -> ValidationError:
    return ValidationError(f"The backup {backup.name} is damaged: {why}. Nothing was changed.")


def _read_backup(backup: Backup, copy: Path, owner: str) -> dict[str, list[dict[str, Any]]]:
    """The backup's synced rows, brought to the current schema and to `owner`, read from a copy of it."""
    try:
        backup_files.verify(backup)
        shutil.copyfile(backup.path, copy)
        conn = sqlite3.connect(copy)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
        if check != ("ok",):
            raise BackupDamaged("its database fails SQLite's integrity check")
    except BackupDamaged as exc:
        raise _damaged(backup, str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise _damaged(backup, "its database cannot be read") from exc
    except OSError as exc:
        why = exc.strerror or exc.__class__.__name__
        raise StoreError(f"Could not read the backup {backup.name}: {why}. Nothing was changed.") from exc
    engine = create_sqlite_engine(copy)
    try:
        _migrate(engine, backup)
        return _rows_of(engine, backup, owner)
    finally:
        engine.dispose()


def _migrate(engine: Engine, backup: Backup) -> None:
    try:
        migrate.check_can_upgrade(engine)
    except StoreError as exc:
        if "newer version" in str(exc):
            raise ValidationError(
                f"The backup {backup.name} was made by a newer version of Printstall; update Printstall to "
                "restore it. Nothing was changed."
            ) from exc
        raise _damaged(backup, "it is not a Printstall database") from exc
    except SQLAlchemyError as exc:
        raise _damaged(backup, "its database cannot be read") from exc
    try:
        if migrate.needs_upgrade(engine):
            migrate.upgrade(engine)
    except (SQLAlchemyError, StoreError) as exc:
        raise _damaged(backup, "its database cannot be brought up to date") from exc


def _rows_of(engine: Engine, backup: Backup, owner: str) -> dict[str, list[dict[str, Any]]]:
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        state = session.get(LocalState, OWNER_KEY)
        backup_owner = state.value if state else LOCAL_OWNER
        if backup_owner != owner:
            if LOCAL_OWNER not in (backup_owner, owner):
                raise Conflict(
                    f"The backup {backup.name} holds another Printstall account's records; it can only be "
                    "restored into a data folder of that account. Nothing was changed."
                )
            move_records(session, backup_owner, owner)  # as signing in (or out) would have
        tables: dict[str, list[dict[str, Any]]] = {}
        for model in SYNCED_MODELS:
            table = model.__table__
            result = session.execute(select(table).where(table.c.owner_id == owner).order_by(table.c.id))
            tables[table.name] = [dict(row._mapping) for row in result]
        session.rollback()  # the copy is thrown away; nothing to keep
    return tables


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + SQL_CHUNK] for i in range(0, len(ids), SQL_CHUNK)]


@dataclass
class _Tally:
    restored: int = 0
    trashed: int = 0
    ledger_added: int = 0
    ledger_kept: int = 0
    outbox: list[dict[str, Any]] = field(default_factory=list)


def _rewrite(
    ws: Workspace, backup: Backup, safety: Backup, tables: dict[str, list[dict[str, Any]]]
) -> RestoreResult:
    tally = _Tally()
    newest = max((str(row["hlc"]) for rows in tables.values() for row in rows), default="")
    with ws.write() as uow:
        if newest:
            uow.advance_clock(newest)  # before the transaction's clock is taken, so it is newer still
        for model in SYNCED_MODELS:
            if issubclass(model, Ledger):
                _add_ledger_rows(uow, model.__table__, tables[model.__tablename__], tally)
            else:
                _restore_records(uow, model.__table__, tables[model.__tablename__], tally)
        if tally.outbox:
            uow.session.execute(insert(OutboxEntry), tally.outbox)
        uow.audit(
            "backup.restore",
            f"Restored the backup {backup.name}; the state before it is the backup {safety.name}",
        )
    return RestoreResult(
        backup=backup,
        safety_backup=safety,
        restored=tally.restored,
        trashed=tally.trashed,
        ledger_added=tally.ledger_added,
        ledger_kept=tally.ledger_kept,
        signed_in=ws.owner_id != LOCAL_OWNER,
    )


def _outbox(uow: UnitOfWork, table: Any, ids: list[str], kind: str) -> list[dict[str, Any]]:
    return [
        {"table_name": table.name, "row_id": i, "kind": kind, "hlc": uow.hlc, "created_at": uow.now}
        for i in ids
    ]


def _add_ledger_rows(uow: UnitOfWork, table: Any, rows: list[dict[str, Any]], tally: _Tally) -> None:
    """Ledger rows are history: the backup's come back where missing, later ones stay."""
    current = set(uow.session.scalars(select(table.c.id).where(table.c.owner_id == uow.owner_id)))
    new = [row for row in rows if row["id"] not in current]
    if new:
        uow.session.execute(insert(table), new)
    tally.outbox += _outbox(uow, table, [row["id"] for row in new], "ledger")
    tally.ledger_added += len(new)
    tally.ledger_kept += len(current - {row["id"] for row in rows})


def _restore_records(uow: UnitOfWork, table: Any, rows: list[dict[str, Any]], tally: _Tally) -> None:
    """The backup's records with their values, every field stamped now; records made since to the trash."""
    session, owner, clock, now = uow.session, uow.owner_id, uow.hlc, uow.now
    current = {
        row.id: row
        for row in session.execute(
            select(table.c.id, table.c.deleted, table.c.clocks).where(table.c.owner_id == owner)
        )
    }
    in_backup = [row["id"] for row in rows]
    for chunk in _chunks([i for i in in_backup if i in current]):
        session.execute(delete(table).where(table.c.owner_id == owner, table.c.id.in_(chunk)))
    stamps = dict.fromkeys(record_fields(table), clock)
    if rows:
        session.execute(
            insert(table), [{**r, "updated_at": now, "hlc": clock, "clocks": stamps} for r in rows]
        )
    tally.outbox += _outbox(uow, table, in_backup, "record")
    tally.restored += len(rows)
    kept = set(in_backup)
    later = [row for ident, row in current.items() if ident not in kept and not row.deleted]
    for row in later:
        changed = dict.fromkeys(("deleted", "deleted_at", "updated_at"), clock)
        session.execute(
            update(table)
            .where(table.c.owner_id == owner, table.c.id == row.id)
            .values(deleted=True, deleted_at=now, updated_at=now, hlc=clock, clocks={**row.clocks, **changed})
        )
    tally.outbox += _outbox(uow, table, [row.id for row in later], "record")
    tally.trashed += len(later)


def _count(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def describe(result: RestoreResult) -> str:
    """What a restore did, in a few sentences for the command line."""
    parts = [
        f"Restored {_count(result.restored, 'record')} from the backup {result.backup.name}.",
        f"The state before the restore is in the backup {result.safety_backup.name}.",
    ]
    if result.trashed:
        parts.append(f"{_count(result.trashed, 'record')} made after the backup went to the trash.")
    if result.ledger_kept:
        kept = _count(result.ledger_kept, "history entry", "history entries")
        parts.append(
            f"{kept} made after the backup (stock, sales, filament use, the audit trail) were kept: history "
            "is never removed."
        )
    if result.signed_in:
        parts.append(
            "The restored values will be sent to your other computers as new edits at the next sync."
        )
    if result.missing_files:
        parts.append(
            f"{_count(len(result.missing_files), 'file')} the backup names are not in the file store."
        )
    return " ".join(parts)
