"""The SQLite engine of the local store, with the pragmas it needs and explicit write transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 10_000


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself; pysqlite's implicit transactions are unreliable.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer, and a crash mid-write leaves the last commit intact.
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable in WAL mode except for the last commit on power loss, and much faster than FULL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Local-only tables may use foreign keys; synced tables deliberately have none (SYNC.md).
    cursor.execute("PRAGMA foreign_keys=ON")
    # A second process (the CLI while the GUI runs) waits for the write lock instead of failing at once.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


READ_ONLY = "printstall_read_only"


def _on_begin(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        # A plain BEGIN: a consistent snapshot (WAL) that never blocks or waits for writers.
        connection.exec_driver_sql("BEGIN")
    else:
        # IMMEDIATE takes the write lock at the start, so two writers never deadlock upgrading a read lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def create_sqlite_engine(path: Path) -> Engine:
    engine = create_engine(sqlite_url(path))
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def make_sessionmaker(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    return sessionmaker(engine, expire_on_commit=False)
