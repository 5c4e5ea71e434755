"""Data rights and cleanup: the account audit log and the role that may hard-delete synced rows.

PostgreSQL only (branch `server`); on SQLite, the local store, this revision does nothing.

- `auth.audit_events`: what happened to an account (sign-ins, sign-outs, password changes, exports, the
  deletion itself), with the device id and client address where known; never a password, code or token.
  Index (user_id, at) for "my latest entries"; a partial index on user_id for `account_deleted`, which the
  service looks up on every authenticated request (a deleted account's unexpired access token is refused).
  No foreign key to `auth.users`: the one "account deleted" entry outlives the user row. `printstall_auth`
  may insert, read and delete it (no update: an entry is never changed).
- Role `printstall_purge` (NOLOGIN, made only if missing, never dropped): SELECT and DELETE on every synced
  table and on `server.sync_state` / `server.sync_batches`, nothing else. It owns nothing, so the FORCEd
  row-level security policies of s0001 (no role clause) restrict it to the owner named by
  `printstall.owner_id`, like `printstall_app`. Ledger tables are included because deleting an account
  removes its ledger rows too; the tombstone purge (sync/server/cleanup.py) only ever names record tables.
  One extra policy, `purge_lists_owners`, lets it *read* every row of `server.sync_state` (owner id and
  last seq, nothing else is there) so the daily job can list the owners; deleting still needs the owner.
  UPDATE of `sync_state.last_seq` only so that it may take the owner's sync lock (`SELECT ... FOR UPDATE`,
  which PostgreSQL allows only with an UPDATE privilege): a purge never runs beside a push.
- The service's login role: every role that is already a member of `printstall_app` is granted
  `printstall_purge` too (the migration's role needs the right to grant it; without it a notice says so and
  the grant is left to docs/deploy.md's setup step).

Revision ID: s0003
Revises: s0002
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "s0003"
down_revision: str | None = "s0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "printstall_app"
AUTH_ROLE = "printstall_auth"
PURGE_ROLE = "printstall_purge"
LIST_POLICY = "purge_lists_owners"

# The synced tables as of core revision 0003 (frozen here: a migration must not follow later models).
SYNCED_TABLES = (
    "file_blobs", "models", "tags", "model_tags", "model_files", "model_variants", "sliced_files",
    "variant_materials", "filaments", "spools", "filament_usage", "products", "bom_lines", "stock_movements",
    "printers", "print_jobs", "market_events", "event_items", "sales", "audit_entries", "user_settings",
)
SYNC_TABLES = ("server.sync_state", "server.sync_batches")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "audit_events",
        sa.Column("id", postgresql.UUID(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("user_id", postgresql.UUID(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("detail", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        schema="auth",
    )
    op.create_index("ix_audit_events_user_at", "audit_events", ["user_id", "at"], schema="auth")
    op.execute(
        "CREATE INDEX ix_audit_events_closed ON auth.audit_events (user_id) WHERE event = 'account_deleted'"
    )
    op.execute(f"GRANT SELECT, INSERT, DELETE ON auth.audit_events TO {AUTH_ROLE}")

    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PURGE_ROLE}') "
        f"THEN CREATE ROLE {PURGE_ROLE} NOLOGIN; END IF; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public, server TO {PURGE_ROLE}")
    for table in (*SYNCED_TABLES, *SYNC_TABLES):
        op.execute(f"GRANT SELECT, DELETE ON {table} TO {PURGE_ROLE}")
    # `SELECT ... FOR UPDATE` (the owner's sync lock) needs UPDATE on at least one column; the purge takes it.
    op.execute(f"GRANT UPDATE (last_seq) ON server.sync_state TO {PURGE_ROLE}")
    op.execute(f"CREATE POLICY {LIST_POLICY} ON server.sync_state FOR SELECT TO {PURGE_ROLE} USING (true)")
    # The login roles that may act as printstall_app (the service's) may purge too.
    op.execute(
        "DO $$ DECLARE member text; BEGIN "
        "FOR member IN SELECT r.rolname FROM pg_auth_members m "
        "JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid "
        f"WHERE g.rolname = '{APP_ROLE}' AND r.rolcanlogin LOOP "
        f"BEGIN EXECUTE format('GRANT {PURGE_ROLE} TO %I', member); "
        "EXCEPTION WHEN insufficient_privilege THEN "
        f"RAISE NOTICE 'grant {PURGE_ROLE} to % by hand (docs/deploy.md)', member; END; "
        "END LOOP; END $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS {LIST_POLICY} ON server.sync_state")
    for table in (*SYNCED_TABLES, *SYNC_TABLES):
        op.execute(f"REVOKE ALL ON {table} FROM {PURGE_ROLE}")
    op.execute(f"REVOKE ALL ON SCHEMA public, server FROM {PURGE_ROLE}")
    op.execute("DROP TABLE auth.audit_events")
