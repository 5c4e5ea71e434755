"""A data folder opened for work: its database (migrated on open, after a backup copy), its file store and
this install's device id. Services take a Workspace and open transactions on it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from core.changes import UnitOfWork, current_user
from core.config import default_data_dir, device_id_for
from core.db import migrate
from core.db.engine import create_sqlite_engine, make_sessionmaker
from core.db.models import LocalState
from core.errors import StoreError
from core.store import backup_files
from core.store.blobs import BlobStore

DB_NAME = "printstall.sqlite3"
BACKUPS_FOLDER = "backups"
OWNER_KEY = "owner_id"
# Records made before the user signs in belong to this owner; signing in adopts them (docs/architecture.md).
LOCAL_OWNER = "00000000-0000-0000-0000-000000000000"


def _backup_before_upgrade(db_path: Path, folder: Path) -> None:
    """A backup like the daily ones (core/store/backup_files.py), kept in the same folder and rotation."""
    try:
        backup_files.write_backup(db_path, folder, "pre-migration")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"Could not back up the database before upgrading it: {exc}.") from exc


class Workspace:
    def __init__(self, data_dir: Path, engine: Engine, device_id: str) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self.device_id = device_id
        self.blobs = BlobStore(data_dir / "blobs")
        self._sessions = make_sessionmaker(engine)
        self._read_sessions = make_sessionmaker(engine, read_only=True)
        self.user = current_user()
        with self._sessions() as session:
            state = session.get(LocalState, OWNER_KEY)
            self.owner_id = state.value if state else LOCAL_OWNER

    @classmethod
    def open(cls, data_dir: Path | None = None) -> Workspace:
        data_dir = (data_dir or default_data_dir()).expanduser()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the data folder {data_dir}: {exc.strerror}.") from exc
        db_path = data_dir / DB_NAME
        existed = db_path.exists() and db_path.stat().st_size > 0
        engine = create_sqlite_engine(db_path)
        try:
            migrate.check_can_upgrade(engine)
            if migrate.needs_upgrade(engine):
                if existed:
                    _backup_before_upgrade(db_path, data_dir / BACKUPS_FOLDER)
                migrate.upgrade(engine)
        except DatabaseError as exc:
            engine.dispose()
            raise StoreError(f"{db_path} is not a Printstall database, or it is damaged.") from exc
        except StoreError:
            engine.dispose()
            raise
        return cls(data_dir, engine, device_id_for(data_dir))

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot: every query in the block sees the same committed state."""
        with self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[UnitOfWork]:
        """One transaction: everything the block writes commits together, or nothing does."""
        with self._sessions() as session, session.begin():
            yield UnitOfWork(session, self.owner_id, self.device_id, self.user)

    def set_owner(self, owner_id: str) -> None:
        with self._sessions() as session, session.begin():
            state = session.get(LocalState, OWNER_KEY)
            if state is None:
                session.add(LocalState(key=OWNER_KEY, value=owner_id))
            else:
                state.value = owner_id
        self.owner_id = owner_id
