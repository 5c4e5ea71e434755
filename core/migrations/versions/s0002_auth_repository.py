"""The `auth` tables as the accounts repository stores them (sync/server/accounts/repository.py).

PostgreSQL only (branch `server`); on SQLite, the local store, this revision does nothing.

- `auth.users`: `email_key` (the trimmed, case-folded address the accounts logic computes), unique, replaces
  the unique index on `lower(email)`; `password_changed_at`; `verified_at` replaces the boolean `verified`.
- `auth.refresh_tokens`: `token_hash` is the primary key (the surrogate `id` goes); `family_id` is text (the
  session id handed to clients, kept exactly as issued); `device_id`; `created_at` is now `issued_at`;
  `successor_hash` replaces `successor_id`.
- `auth.one_time_codes`: primary key `(user_id, purpose)` (one live code per purpose per user) and
  `attempts_left` in place of `attempts` and `used_at` (a used code is deleted). Live codes are dropped.
- `auth.rate_limits` becomes `auth.rate_limit_counters` with `expires_at` (for pruning). Counters are dropped.

Codes and counters live minutes, so dropping them costs a user at most one retry. The grants of s0001 (the
schema's tables to `printstall_auth`, nothing to `printstall_app`) stay with the tables.

Revision ID: s0002
Revises: s0001
Create Date: 2026-12-04 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "s0002"
down_revision: str | None = "s0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Users.
    op.execute("ALTER TABLE auth.users ADD COLUMN email_key text")
    op.execute("UPDATE auth.users SET email_key = lower(btrim(email))")
    op.execute("ALTER TABLE auth.users ALTER COLUMN email_key SET NOT NULL")
    op.execute("DROP INDEX auth.ux_users_email_lower")
    op.execute("CREATE UNIQUE INDEX ux_users_email_key ON auth.users (email_key)")
    op.execute("ALTER TABLE auth.users ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now()")
    op.execute("UPDATE auth.users SET password_changed_at = created_at")
    op.execute("ALTER TABLE auth.users ADD COLUMN verified_at timestamptz")
    op.execute("UPDATE auth.users SET verified_at = created_at WHERE verified")
    op.execute("ALTER TABLE auth.users DROP COLUMN verified")

    # Refresh tokens.
    op.execute("ALTER TABLE auth.refresh_tokens DROP CONSTRAINT pk_refresh_tokens")
    op.execute("ALTER TABLE auth.refresh_tokens DROP CONSTRAINT uq_refresh_tokens_token_hash")
    op.execute("ALTER TABLE auth.refresh_tokens ADD CONSTRAINT pk_refresh_tokens PRIMARY KEY (token_hash)")
    op.execute("ALTER TABLE auth.refresh_tokens ADD COLUMN successor_hash text")
    op.execute(
        "UPDATE auth.refresh_tokens t SET successor_hash = s.token_hash "
        "FROM auth.refresh_tokens s WHERE s.id = t.successor_id"
    )
    op.execute("ALTER TABLE auth.refresh_tokens DROP COLUMN successor_id")
    op.execute("ALTER TABLE auth.refresh_tokens DROP COLUMN id")
    op.execute("ALTER TABLE auth.refresh_tokens ALTER COLUMN family_id TYPE text USING family_id::text")
    op.execute("ALTER TABLE auth.refresh_tokens ADD COLUMN device_id text NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE auth.refresh_tokens ALTER COLUMN device_id DROP DEFAULT")
    op.execute("ALTER TABLE auth.refresh_tokens RENAME COLUMN created_at TO issued_at")

    # One-time codes.
    op.execute("DELETE FROM auth.one_time_codes")
    op.execute("DROP INDEX auth.ix_one_time_codes_user_purpose")
    op.execute("ALTER TABLE auth.one_time_codes DROP CONSTRAINT pk_one_time_codes")
    op.execute("ALTER TABLE auth.one_time_codes DROP COLUMN id")
    op.execute("ALTER TABLE auth.one_time_codes DROP COLUMN attempts")
    op.execute("ALTER TABLE auth.one_time_codes DROP COLUMN used_at")
    op.execute("ALTER TABLE auth.one_time_codes ADD COLUMN attempts_left integer NOT NULL")
    op.execute(
        "ALTER TABLE auth.one_time_codes ADD CONSTRAINT pk_one_time_codes PRIMARY KEY (user_id, purpose)"
    )
    op.execute(
        "ALTER TABLE auth.one_time_codes ADD CONSTRAINT ck_one_time_codes_purpose "
        "CHECK (purpose IN ('verify_email', 'reset_password'))"
    )

    # Rate-limit counters.
    op.execute("DELETE FROM auth.rate_limits")
    op.execute("ALTER TABLE auth.rate_limits RENAME TO rate_limit_counters")
    op.execute(
        "ALTER TABLE auth.rate_limit_counters RENAME CONSTRAINT pk_rate_limits TO pk_rate_limit_counters"
    )
    op.execute("ALTER TABLE auth.rate_limit_counters ADD COLUMN expires_at timestamptz NOT NULL")
    op.execute("CREATE INDEX ix_rate_limit_counters_expires_at ON auth.rate_limit_counters (expires_at)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Rate-limit counters.
    op.execute("DELETE FROM auth.rate_limit_counters")
    op.execute("DROP INDEX auth.ix_rate_limit_counters_expires_at")
    op.execute("ALTER TABLE auth.rate_limit_counters DROP COLUMN expires_at")
    op.execute(
        "ALTER TABLE auth.rate_limit_counters RENAME CONSTRAINT pk_rate_limit_counters TO pk_rate_limits"
    )
    op.execute("ALTER TABLE auth.rate_limit_counters RENAME TO rate_limits")

    # One-time codes.
    op.execute("DELETE FROM auth.one_time_codes")
    op.execute("ALTER TABLE auth.one_time_codes DROP CONSTRAINT ck_one_time_codes_purpose")
    op.execute("ALTER TABLE auth.one_time_codes DROP CONSTRAINT pk_one_time_codes")
    op.execute("ALTER TABLE auth.one_time_codes DROP COLUMN attempts_left")
    op.execute("ALTER TABLE auth.one_time_codes ADD COLUMN used_at timestamptz")
    op.execute("ALTER TABLE auth.one_time_codes ADD COLUMN attempts integer NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE auth.one_time_codes ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()")
    op.execute("ALTER TABLE auth.one_time_codes ADD CONSTRAINT pk_one_time_codes PRIMARY KEY (id)")
    op.execute("CREATE INDEX ix_one_time_codes_user_purpose ON auth.one_time_codes (user_id, purpose)")

    # Refresh tokens (device ids are lost; the tokens of a family stay linked by successor_id).
    op.execute("ALTER TABLE auth.refresh_tokens RENAME COLUMN issued_at TO created_at")
    op.execute("ALTER TABLE auth.refresh_tokens DROP COLUMN device_id")
    op.execute(
        "ALTER TABLE auth.refresh_tokens ALTER COLUMN family_id TYPE uuid USING "
        "CASE WHEN family_id ~* '^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$' "
        "THEN family_id::uuid ELSE gen_random_uuid() END"
    )
    op.execute("ALTER TABLE auth.refresh_tokens ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()")
    op.execute("ALTER TABLE auth.refresh_tokens ADD COLUMN successor_id uuid")
    op.execute(
        "UPDATE auth.refresh_tokens t SET successor_id = s.id "
        "FROM auth.refresh_tokens s WHERE s.token_hash = t.successor_hash"
    )
    op.execute("ALTER TABLE auth.refresh_tokens DROP COLUMN successor_hash")
    op.execute("ALTER TABLE auth.refresh_tokens DROP CONSTRAINT pk_refresh_tokens")
    op.execute("ALTER TABLE auth.refresh_tokens ADD CONSTRAINT pk_refresh_tokens PRIMARY KEY (id)")
    op.execute(
        "ALTER TABLE auth.refresh_tokens ADD CONSTRAINT uq_refresh_tokens_token_hash UNIQUE (token_hash)"
    )

    # Users.
    op.execute("ALTER TABLE auth.users ADD COLUMN verified boolean NOT NULL DEFAULT false")
    op.execute("UPDATE auth.users SET verified = verified_at IS NOT NULL")
    op.execute("ALTER TABLE auth.users DROP COLUMN verified_at")
    op.execute("ALTER TABLE auth.users DROP COLUMN password_changed_at")
    op.execute("DROP INDEX auth.ux_users_email_key")
    op.execute("ALTER TABLE auth.users DROP COLUMN email_key")
    op.execute("CREATE UNIQUE INDEX ux_users_email_lower ON auth.users (lower(email))")
