"""Running the Alembic migrations programmatically, on SQLite (the local store) or PostgreSQL (the cloud)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from core.errors import StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The branch heads the database is at. Alembic stores only revisions nothing stored depends on: once
    the `server` branch (which depends on `core`) is applied, the `core` head it depends on is implied, not
    stored, so it is added back here."""
    with engine.connect() as conn:
        stored = set(MigrationContext.configure(conn).get_current_heads())
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    implied: set[str] = set()
    pending = [name for name in stored if name in known]
    while pending:
        revision = script.get_revision(pending.pop())
        if revision is None:
            continue
        below = [*_as_tuple(revision.down_revision), *_as_tuple(revision.dependencies)]
        for name in below:
            if name not in implied:
                implied.add(name)
                pending.append(name)
    return stored | (implied & set(script.get_heads()))


def _as_tuple(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def check_can_upgrade(engine: Engine) -> None:
    """Refuse, before anything is written, a database this version of Printstall must not touch:
    one written by a newer version, or another program's SQLite file."""
    current = current_revisions(engine)
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current - known:
        raise StoreError(
            "This data folder was used by a newer version of Printstall. Update Printstall to open it."
        )
    tables = set(inspect(engine).get_table_names())
    if tables and "alembic_version" not in tables:
        raise StoreError("The database file belongs to another program; it is not a Printstall database.")


def needs_upgrade(engine: Engine) -> bool:
    return current_revisions(engine) != head_revisions()


def _sqlite_foreign_keys(conn: Connection, enabled: bool) -> None:
    """Switch SQLite's foreign key enforcement for this connection.

    The pragma is a no-op inside a transaction, and SQLAlchemy begins one (BEGIN IMMEDIATE, see engine.py)
    before any statement it runs, so the pragma goes straight to the driver's connection, outside one.
    """
    if conn.in_transaction():
        conn.rollback()
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    finally:
        cursor.close()


def upgrade(engine: Engine, target: str = "heads") -> None:
    """Bring the database to `target`. On SQLite, foreign keys are off during the run and checked after."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), target)
        return
    with engine.connect() as conn:
        _sqlite_foreign_keys(conn, False)
        try:
            command.upgrade(alembic_config(conn), target)
            conn.commit()
            problems = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
            if problems:
                raise StoreError(f"The database upgrade left broken references: {problems[:5]}")
        finally:
            _sqlite_foreign_keys(conn, True)


def downgrade(engine: Engine, target: str) -> None:
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), target)
        return
    with engine.connect() as conn:
        _sqlite_foreign_keys(conn, False)
        try:
            command.downgrade(alembic_config(conn), target)
            conn.commit()
        finally:
            _sqlite_foreign_keys(conn, True)
