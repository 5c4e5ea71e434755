"""The `server` migration branch: on PostgreSQL, what it builds (seq, sync tables, accounts, roles, row-level
security) and that it goes down and up again; on SQLite, nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.pool import NullPool

from core.db import migrate
from core.db.engine import create_sqlite_engine
from core.db.models import SYNCED_MODELS

TABLES = [model.__tablename__ for model in SYNCED_MODELS]
SYNC_TABLES = ["server.sync_state", "server.sync_batches"]


def test_the_server_branch_has_one_head_and_depends_on_core() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    heads = [head for head in script.get_heads() if "server" in script.get_revision(head).branch_labels]
    assert len(heads) == 1
    base = [
        rev for rev in script.walk_revisions() if "server" in rev.branch_labels and rev.down_revision is None
    ]
    assert len(base) == 1 and base[0].dependencies


def test_on_sqlite_the_server_branch_does_nothing(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "store.sqlite3")
    try:
        migrate.upgrade(engine)
        assert migrate.current_revisions(engine) == migrate.head_revisions()
        for table in TABLES:
            assert "seq" not in {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_every_synced_table_has_seq_an_index_and_forced_row_security(pg_engine: Engine) -> None:
    migrate.upgrade(pg_engine)
    inspector = inspect(pg_engine)
    with pg_engine.connect() as conn:
        for table in TABLES:
            assert "seq" in {column["name"] for column in inspector.get_columns(table)}, table
            indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes(table)}
            assert ("owner_id", "seq") in indexed, table
        for table in [*TABLES, *SYNC_TABLES]:
            enabled, forced = conn.execute(
                text(
                    "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE oid = CAST(:t AS regclass)"
                ),
                {"t": table},
            ).one()
            assert enabled and forced, table
            policies = conn.execute(
                text(
                    "SELECT count(*) FROM pg_policies WHERE schemaname || '.' || tablename = :t "
                    "AND qual LIKE '%printstall.owner_id%' AND with_check LIKE '%printstall.owner_id%'"
                ),
                {"t": table if "." in table else f"public.{table}"},
            ).scalar_one()
            assert policies == 1, table


@pytest.mark.postgres
def test_the_app_role_owns_nothing_and_cannot_log_in(pg_engine: Engine) -> None:
    migrate.upgrade(pg_engine)
    with pg_engine.connect() as conn:
        for role in ("printstall_app", "printstall_auth", "printstall_purge"):
            can_login, bypass, superuser = conn.execute(
                text("SELECT rolcanlogin, rolbypassrls, rolsuper FROM pg_roles WHERE rolname = :r"),
                {"r": role},
            ).one()
            assert not (can_login or bypass or superuser), role
            owned = conn.execute(
                text(
                    "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                    "WHERE r.rolname = :r"
                ),
                {"r": role},
            ).scalar_one()
            assert owned == 0, role
        grants = conn.execute(
            text(
                "SELECT has_schema_privilege('printstall_app', 'auth', 'USAGE'), "
                "has_schema_privilege('printstall_auth', 'auth', 'USAGE'), "
                "has_table_privilege('printstall_auth', 'public.tags', 'SELECT')"
            )
        ).one()
        assert grants == (False, True, False)


@pytest.mark.postgres
def test_the_server_branch_goes_down_and_up_again(pg_engine: Engine) -> None:
    migrate.upgrade(pg_engine)
    migrate.downgrade(pg_engine, "server@base")
    assert migrate.current_revisions(pg_engine) == {"0003"}
    assert set(inspect(pg_engine).get_schema_names()).isdisjoint({"auth", "server"})
    assert "seq" not in {column["name"] for column in inspect(pg_engine).get_columns("tags")}
    with pg_engine.connect() as conn:
        assert not conn.execute(
            text("SELECT relrowsecurity FROM pg_class WHERE relname = 'tags'")
        ).scalar_one()
    migrate.upgrade(pg_engine)
    assert migrate.current_revisions(pg_engine) == migrate.head_revisions()
    assert {"auth", "server"} <= set(inspect(pg_engine).get_schema_names())


@pytest.mark.postgres
def test_email_key_is_unique(pg_engine: Engine) -> None:
    migrate.upgrade(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO auth.users (email, email_key, password_hash) "
                "VALUES ('Anna@Example.com', 'anna@example.com', 'h')"
            )
        )
    with pytest.raises(Exception, match="ux_users_email_key"), pg_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO auth.users (email, email_key, password_hash) "
                "VALUES ('anna@example.COM', 'anna@example.com', 'h')"
            )
        )


@pytest.mark.postgres
def test_the_purge_role_may_delete_synced_rows_and_nothing_else(pg_engine: Engine) -> None:
    migrate.upgrade(pg_engine)
    with pg_engine.connect() as conn:
        privileges = conn.execute(
            text(
                "SELECT has_table_privilege('printstall_purge', 'public.tags', 'DELETE'), "
                "has_table_privilege('printstall_purge', 'public.sales', 'DELETE'), "
                "has_table_privilege('printstall_purge', 'server.sync_batches', 'DELETE'), "
                "has_table_privilege('printstall_purge', 'public.tags', 'INSERT'), "
                "has_table_privilege('printstall_purge', 'public.tags', 'UPDATE'), "
                "has_schema_privilege('printstall_purge', 'auth', 'USAGE'), "
                "has_table_privilege('printstall_app', 'public.tags', 'DELETE'), "
                "has_table_privilege('printstall_auth', 'auth.audit_events', 'INSERT'), "
                "has_table_privilege('printstall_auth', 'auth.audit_events', 'UPDATE'), "
                "has_table_privilege('printstall_app', 'auth.audit_events', 'SELECT')"
            )
        ).one()
        assert privileges == (True, True, True, False, False, False, False, True, False, False)


@pytest.mark.postgres
def test_s0003_grants_the_purge_role_to_the_services_login_role(pg_engine: Engine) -> None:
    """A login role that may act as printstall_app (NOINHERIT, as docs/deploy.md sets it up) gets the purge
    role from the migration, and can purge through it."""
    from sync.server.cleanup import purge_tombstones

    login_role = f"printstall_service_{uuid.uuid4().hex[:12]}"
    secret = uuid.uuid4().hex
    migrate.upgrade(pg_engine)
    migrate.downgrade(pg_engine, "s0002")
    with pg_engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {login_role} LOGIN NOINHERIT PASSWORD '{secret}'"))
        conn.execute(text(f"GRANT printstall_app, printstall_auth TO {login_role}"))
    service = create_engine(pg_engine.url.set(username=login_role, password=secret), poolclass=NullPool)
    try:
        migrate.upgrade(pg_engine)
        with pg_engine.connect() as conn:
            member = conn.execute(
                text("SELECT pg_has_role(:r, 'printstall_purge', 'MEMBER')"), {"r": login_role}
            ).scalar_one()
        assert member
        assert purge_tombstones(service, str(uuid.uuid4()), None) == 0
    finally:
        service.dispose()
        with pg_engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {login_role}"))
            conn.execute(text(f"DROP ROLE {login_role}"))
