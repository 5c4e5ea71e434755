"""The Alembic migrations: one head per branch, and on SQLite and PostgreSQL alike they build exactly the
schema the models declare, and go down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

import core.db.models
from core.db import migrate
from core.db.base import Base
from core.db.engine import create_sqlite_engine

# ---------------------------------------------------------------- the revision graph


def test_one_head_per_branch_and_the_core_branch_exists() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    heads = script.get_heads()
    assert heads
    labels_of = {head: script.get_revision(head).branch_labels for head in heads}
    unlabelled = [head for head, labels in labels_of.items() if not labels]
    assert not unlabelled, f"heads on no named branch: {unlabelled}"
    all_labels = set().union(*labels_of.values())
    assert "core" in all_labels
    for label in all_labels:
        on_branch = [head for head, labels in labels_of.items() if label in labels]
        assert len(on_branch) == 1, f"branch {label!r} has heads {on_branch}"
    assert migrate.head_revisions() == set(heads)


def test_every_revision_can_go_down() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    for revision in script.walk_revisions():
        assert revision.module.downgrade is not None
        assert revision.module.upgrade is not None


# ---------------------------------------------------------------- on a database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        yield request.getfixturevalue("pg_engine")
        return
    sqlite = create_sqlite_engine(tmp_path / "store.sqlite3")
    try:
        yield sqlite
    finally:
        sqlite.dispose()


# The SQLite full-text index of the library (migration 0002) is not a model: its tables and index are skipped.
SEARCH_PREFIX = "models_fts"


def _not_search(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (name or "").startswith(SEARCH_PREFIX) and not _server_branch(name, type_)


def _server_branch(name: str | None, type_: str) -> bool:
    """What the PostgreSQL-only `server` branch adds to the synced tables (its own tables live in the schemas
    `server` and `auth`, which the comparison does not look at): the sync sequence column and its index."""
    if type_ == "column":
        return name == "seq"
    return type_ == "index" and (name or "").endswith("_owner_seq")


def schema_differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        options = {"compare_type": True, "compare_server_default": True, "include_object": _not_search}
        context = MigrationContext.configure(conn, opts=options)
        return list(compare_metadata(context, Base.metadata))


def table_names(engine: Engine) -> set[str]:
    return {name for name in inspect(engine).get_table_names() if not name.startswith(SEARCH_PREFIX)}


def test_upgrade_builds_exactly_the_declared_schema(engine: Engine) -> None:
    assert migrate.needs_upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revisions(engine) == migrate.head_revisions()
    assert not migrate.needs_upgrade(engine)
    assert table_names(engine) == set(Base.metadata.tables) | {"alembic_version"}
    assert schema_differences(engine) == []


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current_revisions(engine) == set()
    assert table_names(engine) <= {"alembic_version"}

    migrate.upgrade(engine)
    assert migrate.current_revisions(engine) == migrate.head_revisions()
    assert schema_differences(engine) == []


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert schema_differences(engine) == []


def test_synced_tables_have_no_foreign_or_unique_keys(engine: Engine) -> None:
    # SYNC.md: a child may arrive before its parent, and two devices may create "the same" thing.
    migrate.upgrade(engine)
    inspector = inspect(engine)
    for model in core.db.models.SYNCED_MODELS:
        table = model.__tablename__
        assert inspector.get_foreign_keys(table) == [], table
        assert inspector.get_unique_constraints(table) == [], table
        assert not [ix for ix in inspector.get_indexes(table) if ix.get("unique")], table
        assert inspector.get_pk_constraint(table)["constrained_columns"] == ["owner_id", "id"]


# ---------------------------------------------------------------- SQLite specifics


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_sqlite_engine(tmp_path / "store.sqlite3")
    try:
        yield engine
    finally:
        engine.dispose()


def test_foreign_key_check_is_clean_after_upgrade(sqlite_engine: Engine) -> None:
    migrate.upgrade(sqlite_engine)
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"


@pytest.mark.parametrize("direction", ["upgrade", "downgrade"])
def test_foreign_keys_are_off_while_migrating_and_on_afterwards(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, direction: str
) -> None:
    # Batch mode copies and drops tables: with foreign keys on, that would cascade or fail (DESIGN.md).
    if direction == "downgrade":
        migrate.upgrade(sqlite_engine)
    seen: list[int] = []
    real = getattr(command, direction)

    def spy(config: Any, target: str) -> None:
        connection = config.attributes["connection"]
        seen.append(connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one())
        real(config, target)

    monkeypatch.setattr(command, direction, spy)
    if direction == "upgrade":
        migrate.upgrade(sqlite_engine)
    else:
        migrate.downgrade(sqlite_engine, "base")
    assert seen == [0]
    # The pooled connection goes back to normal: the store relies on foreign keys for local tables.
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_sqlite_store_uses_wal(sqlite_engine: Engine) -> None:
    migrate.upgrade(sqlite_engine)
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
