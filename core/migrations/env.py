"""Alembic environment for both the local SQLite store and the cloud PostgreSQL database.

The app and the tests hand a connection in through `config.attributes["connection"]` (see core.db.migrate);
the `alembic` command line builds one from `sqlalchemy.url`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

import core.db.models  # noqa: F401  (registers every table on the metadata)
from core.db.base import Base

config = context.config
target_metadata = Base.metadata


def _not_search_index(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """The SQLite full-text index of 0002 is not a model; autogenerate must not propose dropping it."""
    return not (name or "").startswith("models_fts")


def _run(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite,  # SQLite cannot ALTER most things; batch mode copies the table instead
        compare_type=True,
        include_object=_not_search_index,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
