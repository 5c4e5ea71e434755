"""The service's PostgreSQL access: one pooled engine, and transactions that act for one owner.

The service's login role owns no table. Every transaction that touches synced data switches to the role
`printstall_app` (`SET LOCAL ROLE`) and names its owner (`set_config('printstall.owner_id', ..., true)`), both
for that transaction only; the row-level security policies of the `server` migration then show and accept only
that owner's rows, so a query that forgets its WHERE clause still leaks nothing. A pooled connection goes back
with neither set: both end with the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, func, select, text

from sync.server.config import Settings

APP_ROLE = "printstall_app"
AUTH_ROLE = "printstall_auth"
OWNER_SETTING = "printstall.owner_id"


def create_db_engine(settings: Settings) -> Engine:
    """The pooled engine (psycopg 3 under SQLAlchemy's queue pool) on the service's login role."""
    return create_engine(
        settings.database_url.get_secret_value(),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=True,
    )


def canonical_owner(owner_id: str) -> str:
    """The owner id in its one text form (lower-case, hyphenated); ValueError if it is not a UUID."""
    return str(uuid.UUID(owner_id))


@contextmanager
def owner_transaction(engine: Engine, owner_id: str, *, read_only: bool = False) -> Iterator[Connection]:
    """A transaction as `printstall_app` for `owner_id`: committed when the block ends, rolled back on error.

    `read_only=True` gives one REPEATABLE READ, READ ONLY snapshot (what pull reads every table in).
    """
    owner = canonical_owner(owner_id)
    with engine.connect() as conn:
        if read_only:
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            conn.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))
            conn.execute(select(func.set_config(OWNER_SETTING, owner, True)))
            yield conn
