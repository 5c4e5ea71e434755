"""`server.stored_blobs`: the owner's confirmed files and their sizes, so the storage quota is one indexed sum
instead of a listing of the bucket on every upload (which grew with every file a user stored).

A row is written when a file is confirmed (its size and SHA-256 checked), and removed when the file is
deleted (unreferenced-file collection, a refused upload, account deletion). The daily job sets the rows of
each owner to what the bucket holds (`printstall-server maintenance`), which also counts files stored
before this revision: run it once after upgrading.

Row-level security like the synced tables (FORCE, `owner_id = printstall.owner_id`). `printstall_app` may
read, insert, update and delete the rows (a file, not a synced record); `printstall_purge` may read and delete
them (account deletion).

Revision ID: s0004
Revises: s0003
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0004"
down_revision: str | None = "s0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "printstall_app"
PURGE_ROLE = "printstall_purge"
POLICY = "owner_only"
OWNER_SETTING = "printstall.owner_id"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "stored_blobs",
        sa.Column("owner_id", sa.String(36), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema="server",
    )
    condition = f"owner_id = current_setting('{OWNER_SETTING}', true)"
    op.execute("ALTER TABLE server.stored_blobs ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE server.stored_blobs FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY {POLICY} ON server.stored_blobs USING ({condition}) WITH CHECK ({condition})")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON server.stored_blobs TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, DELETE ON server.stored_blobs TO {PURGE_ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE server.stored_blobs")
