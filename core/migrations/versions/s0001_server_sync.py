"""The cloud service's own schema: accounts, sync sequence numbers and row-level security.

PostgreSQL only (branch `server`); on SQLite, the local store, this revision does nothing.

- `seq bigint` on every synced table, with an index (owner_id, seq): the owner's sequence number of the row's
  last change, handed out under the owner's sync lock (SYNC.md, Push) and read by pull in that order.
- Schema `server`: `sync_state` (one row per owner: the last seq, locked FOR UPDATE by every push) and
  `sync_batches` (the answer of every push, by batch id, for idempotent replay).
- Schema `auth`: users, refresh tokens (stored hashed, with family, rotation and successor for reuse detection),
  one-time codes (email verification, password reset) and rate-limit counters.
- Roles (NOLOGIN, made only if missing, never dropped: roles belong to the whole cluster):
  `printstall_app` may read and write the synced tables and the sync tables, never `auth`, and owns nothing,
  so row-level security applies to it; `printstall_auth` may use `auth` and nothing else. The service's login
  role is granted both and switches with `SET LOCAL ROLE` per transaction (sync/server/db.py).
- Row-level security, enabled and FORCEd, on every synced table and both sync tables, with the policy
  `owner_id = current_setting('printstall.owner_id', true)`: a transaction that has not named its owner sees
  and writes nothing. `printstall_app` has no DELETE: nothing synced is ever hard-deleted by a sync request.

A later `core` revision that adds a synced table needs a `server` revision that gives it the same (seq, index,
grants, policy); tests/server/test_server_schema.py checks every table of SYNCED_MODELS.

Revision ID: s0001
Revises:
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "s0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("server",)
depends_on: str | Sequence[str] | None = "0003"

APP_ROLE = "printstall_app"
AUTH_ROLE = "printstall_auth"
OWNER_SETTING = "printstall.owner_id"

# The synced tables as of core revision 0003 (frozen here: a migration must not follow later models).
SYNCED_TABLES = (
    "file_blobs", "models", "tags", "model_tags", "model_files", "model_variants", "sliced_files",
    "variant_materials", "filaments", "spools", "filament_usage", "products", "bom_lines", "stock_movements",
    "printers", "print_jobs", "market_events", "event_items", "sales", "audit_entries", "user_settings",
)
SYNC_TABLES = ("server.sync_state", "server.sync_batches")
POLICY = "owner_only"


def _create_role_if_missing(role: str) -> None:
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
    )


def _owner_only(table: str) -> None:
    condition = f"owner_id = current_setting('{OWNER_SETTING}', true)"
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({condition}) WITH CHECK ({condition})")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _create_role_if_missing(APP_ROLE)
    _create_role_if_missing(AUTH_ROLE)

    for table in SYNCED_TABLES:
        op.add_column(table, sa.Column("seq", sa.BigInteger(), nullable=True))
        op.create_index(f"ix_{table}_owner_seq", table, ["owner_id", "seq"])

    op.execute("CREATE SCHEMA server")
    op.create_table(
        "sync_state",
        sa.Column("owner_id", sa.String(36), primary_key=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False, server_default="0"),
        schema="server",
    )
    op.create_table(
        "sync_batches",
        sa.Column("owner_id", sa.String(36), primary_key=True),
        sa.Column("batch_id", sa.String(36), primary_key=True),
        sa.Column("answer", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema="server",
    )

    op.execute("CREATE SCHEMA auth")
    op.create_table(
        "users",
        sa.Column("id", postgresql.UUID(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema="auth",
    )
    op.execute("CREATE UNIQUE INDEX ux_users_email_lower ON auth.users (lower(email))")
    op.create_table(
        "refresh_tokens",
        sa.Column("id", postgresql.UUID(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column(
            "user_id", postgresql.UUID(), sa.ForeignKey("auth.users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("token_hash", sa.Text(), nullable=False, unique=True),
        sa.Column("family_id", postgresql.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("successor_id", postgresql.UUID(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        schema="auth",
    )
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"], schema="auth")
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"], schema="auth")
    op.create_table(
        "one_time_codes",
        sa.Column("id", postgresql.UUID(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column(
            "user_id", postgresql.UUID(), sa.ForeignKey("auth.users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("purpose", sa.Text(), nullable=False),  # verify_email, reset_password
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        schema="auth",
    )
    op.create_index("ix_one_time_codes_user_purpose", "one_time_codes", ["user_id", "purpose"], schema="auth")
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.Text(), primary_key=True),  # e.g. "login:<email>", "push:<user>"
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
        schema="auth",
    )

    # What each role may do. `auth` is closed to the sync role and the synced tables to the accounts role.
    op.execute(f"GRANT USAGE ON SCHEMA public, server TO {APP_ROLE}")
    for table in SYNCED_TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {APP_ROLE}")
        _owner_only(table)
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON server.sync_state TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT ON server.sync_batches TO {APP_ROLE}")
    for table in SYNC_TABLES:
        _owner_only(table)
    op.execute("REVOKE ALL ON SCHEMA auth FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA auth TO {AUTH_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth TO {AUTH_ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP SCHEMA auth CASCADE")
    op.execute("DROP SCHEMA server CASCADE")
    for table in SYNCED_TABLES:
        op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"REVOKE ALL ON {table} FROM {APP_ROLE}")
        op.drop_index(f"ix_{table}_owner_seq", table_name=table)
        op.drop_column(table, "seq")
    op.execute(f"REVOKE ALL ON SCHEMA public FROM {APP_ROLE}")
