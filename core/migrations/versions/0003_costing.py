"""Costing: a product's minutes of hand work, and a printer's own failure rate.

- `products.labour_s`: hand work per unit in seconds (supports off, sanding, packing), costed at the labour
  rate in settings.
- `printers.failure_rate_permille`: the share of this printer's prints that fail, per thousand; null means the
  one in settings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch_op:
        batch_op.add_column(sa.Column("labour_s", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("printers") as batch_op:
        batch_op.add_column(sa.Column("failure_rate_permille", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("printers") as batch_op:
        batch_op.drop_column("failure_rate_permille")
    with op.batch_alter_table("products") as batch_op:
        batch_op.drop_column("labour_s")
