"""Row-level security: a transaction for user B sees and writes nothing of user A, even with no WHERE."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from core.db.models import SYNCED_MODELS
from sync.server.db import owner_transaction
from tests.server.conftest import new_id

pytestmark = pytest.mark.postgres

TABLES = [model.__tablename__ for model in SYNCED_MODELS]


def _insert_minimal(conn: Connection, table: str, owner: str, row_id: str) -> None:
    """A row with every NOT NULL column filled (values of the right type; sense does not matter here)."""
    values: dict[str, object] = {"owner_id": owner, "id": row_id}
    for column in inspect(conn).get_columns(table):
        name = column["name"]
        if name in values or column["nullable"]:
            continue
        kind = str(column["type"]).upper()
        values[name] = False if "BOOL" in kind else 0 if "INT" in kind else "{}" if "JSON" in kind else "x"
    names = ", ".join(f'"{name}"' for name in values)
    params = ", ".join(f":{name}" for name in values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), values)


@pytest.fixture
def rows_of_a(server_db: Engine) -> str:
    owner_a = new_id()
    with owner_transaction(server_db, owner_a) as conn:
        for table in TABLES:
            _insert_minimal(conn, table, owner_a, new_id())
        conn.execute(
            text("INSERT INTO server.sync_state (owner_id, last_seq) VALUES (:o, 7)"), {"o": owner_a}
        )
    return owner_a


def test_user_b_sees_none_of_user_a_rows_without_a_where(server_db: Engine, rows_of_a: str) -> None:
    with owner_transaction(server_db, rows_of_a) as conn:
        for table in TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1, table
    with owner_transaction(server_db, new_id()) as conn:
        for table in [*TABLES, "server.sync_state", "server.sync_batches"]:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table


def test_user_b_cannot_update_user_a_rows(server_db: Engine, rows_of_a: str) -> None:
    with owner_transaction(server_db, new_id()) as conn:
        for table in TABLES:
            assert conn.execute(text(f"UPDATE {table} SET hlc = 'stolen'")).rowcount == 0, table


@pytest.mark.parametrize("table", TABLES)
def test_user_b_cannot_insert_rows_for_user_a(server_db: Engine, rows_of_a: str, table: str) -> None:
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        owner_transaction(server_db, new_id()) as conn,
    ):
        _insert_minimal(conn, table, rows_of_a, new_id())


def test_user_b_cannot_give_a_row_to_user_a(server_db: Engine, rows_of_a: str) -> None:
    owner_b = new_id()
    with owner_transaction(server_db, owner_b) as conn:
        _insert_minimal(conn, "tags", owner_b, new_id())
    with pytest.raises(DBAPIError, match="row-level security"), owner_transaction(server_db, owner_b) as conn:
        conn.execute(text("UPDATE tags SET owner_id = :a"), {"a": rows_of_a})


def test_a_transaction_that_names_no_owner_sees_nothing(server_db: Engine, rows_of_a: str) -> None:
    with server_db.begin() as conn:
        conn.execute(text("SET LOCAL ROLE printstall_app"))
        for table in TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table


def test_the_app_role_cannot_read_accounts_or_delete_rows(server_db: Engine, rows_of_a: str) -> None:
    with (
        pytest.raises(DBAPIError, match="permission denied"),
        owner_transaction(server_db, rows_of_a) as conn,
    ):
        conn.execute(text("SELECT count(*) FROM auth.users"))
    with (
        pytest.raises(DBAPIError, match="permission denied"),
        owner_transaction(server_db, rows_of_a) as conn,
    ):
        conn.execute(text("DELETE FROM tags"))


def test_owner_and_role_end_with_the_transaction(server_db: Engine) -> None:
    # One pooled connection: the next transaction runs on the very same server session.
    single = create_engine(server_db.url, pool_size=1, max_overflow=0)
    try:
        with owner_transaction(single, new_id()) as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == "printstall_app"
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with single.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == backend
            assert conn.execute(text("SELECT current_user")).scalar_one() != "printstall_app"
            assert not conn.execute(text("SELECT current_setting('printstall.owner_id', true)")).scalar_one()
    finally:
        single.dispose()


def test_an_owner_id_that_is_not_a_uuid_is_refused(server_db: Engine) -> None:
    with pytest.raises(ValueError), owner_transaction(server_db, "x' OR true --"):
        pass
