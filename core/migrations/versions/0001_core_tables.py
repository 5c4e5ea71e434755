"""Core tables: every synced table of the domain model, plus the local outbox and state.

Revision ID: 0001
Revises: 
Create Date: 2026-12-01 05:05:25.347710
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ('core',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_entries',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_audit_entries'))
    )
    op.create_table('bom_lines',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('component_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_bom_lines'))
    )
    with op.batch_alter_table('bom_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bom_lines_product_id'), ['product_id'], unique=False)

    op.create_table('event_items',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('target', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_event_items'))
    )
    with op.batch_alter_table('event_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_items_event_id'), ['event_id'], unique=False)

    op.create_table('filament_usage',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('spool_id', sa.String(length=36), nullable=False),
    sa.Column('delta_mg', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_filament_usage'))
    )
    with op.batch_alter_table('filament_usage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filament_usage_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filament_usage_spool_id'), ['spool_id'], unique=False)

    op.create_table('filaments',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('brand', sa.String(length=100), nullable=False),
    sa.Column('material', sa.String(length=50), nullable=False),
    sa.Column('colour_name', sa.String(length=100), nullable=False),
    sa.Column('colour_hex', sa.String(length=9), nullable=False),
    sa.Column('extra_colours', sa.JSON(), nullable=False),
    sa.Column('diameter_um', sa.BigInteger(), nullable=False),
    sa.Column('density_mg_cm3', sa.BigInteger(), nullable=False),
    sa.Column('net_weight_mg', sa.BigInteger(), nullable=False),
    sa.Column('empty_spool_weight_mg', sa.BigInteger(), nullable=False),
    sa.Column('price_cents', sa.BigInteger(), nullable=False),
    sa.Column('low_stock_mg', sa.BigInteger(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_filaments'))
    )
    op.create_table('file_blobs',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_file_blobs'))
    )
    op.create_table('local_state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_local_state'))
    )
    op.create_table('market_events',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.String(length=10), nullable=True),
    sa.Column('ends_on', sa.String(length=10), nullable=True),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('booth_fee_cents', sa.BigInteger(), nullable=False),
    sa.Column('travel_cost_cents', sa.BigInteger(), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_market_events'))
    )
    op.create_table('model_files',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('model_id', sa.String(length=36), nullable=False),
    sa.Column('blob_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_model_files'))
    )
    with op.batch_alter_table('model_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_files_blob_id'), ['blob_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_model_files_model_id'), ['model_id'], unique=False)

    op.create_table('model_tags',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('model_id', sa.String(length=36), nullable=False),
    sa.Column('tag_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_model_tags'))
    )
    with op.batch_alter_table('model_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_tags_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_model_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('model_variants',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('model_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('printer_id', sa.String(length=36), nullable=True),
    sa.Column('printer_model', sa.String(length=100), nullable=False),
    sa.Column('material', sa.String(length=50), nullable=False),
    sa.Column('colour', sa.String(length=100), nullable=False),
    sa.Column('units_per_plate', sa.BigInteger(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_model_variants'))
    )
    with op.batch_alter_table('model_variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_variants_model_id'), ['model_id'], unique=False)

    op.create_table('models',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('designer_name', sa.String(length=200), nullable=False),
    sa.Column('designer_url', sa.String(length=500), nullable=False),
    sa.Column('licence_spdx', sa.String(length=100), nullable=False),
    sa.Column('licence_allows_selling', sa.Boolean(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('thumbnail_blob_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_models'))
    )
    op.create_table('outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_table_row', ['table_name', 'row_id'], unique=False)

    op.create_table('print_jobs',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('variant_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=True),
    sa.Column('printer_id', sa.String(length=36), nullable=True),
    sa.Column('copies', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('priority', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('spools', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.String(length=32), nullable=True),
    sa.Column('finished_at', sa.String(length=32), nullable=True),
    sa.Column('printed_permille', sa.BigInteger(), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_print_jobs'))
    )
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_jobs_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_jobs_printer_id'), ['printer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_jobs_variant_id'), ['variant_id'], unique=False)

    op.create_table('printers',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('nozzle_um', sa.BigInteger(), nullable=False),
    sa.Column('build_x_mm', sa.BigInteger(), nullable=False),
    sa.Column('build_y_mm', sa.BigInteger(), nullable=False),
    sa.Column('build_z_mm', sa.BigInteger(), nullable=False),
    sa.Column('extruders', sa.BigInteger(), nullable=False),
    sa.Column('power_w', sa.BigInteger(), nullable=False),
    sa.Column('hourly_cost_cents', sa.BigInteger(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_printers'))
    )
    op.create_table('products',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('variant_id', sa.String(length=36), nullable=True),
    sa.Column('price_cents', sa.BigInteger(), nullable=False),
    sa.Column('cost_cents', sa.BigInteger(), nullable=True),
    sa.Column('low_stock', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_products'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_variant_id'), ['variant_id'], unique=False)

    op.create_table('sales',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit_price_cents', sa.BigInteger(), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('oversold', sa.Boolean(), nullable=False),
    sa.Column('undoes_sale_id', sa.String(length=36), nullable=True),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_sales'))
    )
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_product_id'), ['product_id'], unique=False)

    op.create_table('sliced_files',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('variant_id', sa.String(length=36), nullable=False),
    sa.Column('blob_id', sa.String(length=36), nullable=True),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('slicer', sa.String(length=100), nullable=False),
    sa.Column('slicer_version', sa.String(length=50), nullable=False),
    sa.Column('print_time_s', sa.BigInteger(), nullable=True),
    sa.Column('filament_mg', sa.JSON(), nullable=False),
    sa.Column('filament_um', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('thumbnail_blob_ids', sa.JSON(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_sliced_files'))
    )
    with op.batch_alter_table('sliced_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sliced_files_variant_id'), ['variant_id'], unique=False)

    op.create_table('spools',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('filament_id', sa.String(length=36), nullable=False),
    sa.Column('initial_weight_mg', sa.BigInteger(), nullable=False),
    sa.Column('empty_spool_weight_mg', sa.BigInteger(), nullable=True),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('lot', sa.String(length=100), nullable=False),
    sa.Column('purchase_date', sa.String(length=10), nullable=True),
    sa.Column('price_cents', sa.BigInteger(), nullable=True),
    sa.Column('opened', sa.Boolean(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_spools'))
    )
    with op.batch_alter_table('spools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spools_filament_id'), ['filament_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.Column('sale_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movements_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_product_id'), ['product_id'], unique=False)

    op.create_table('tags',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_tags'))
    )
    op.create_table('user_settings',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_user_settings'))
    )
    op.create_table('variant_materials',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('variant_id', sa.String(length=36), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('material', sa.String(length=50), nullable=False),
    sa.Column('colour_name', sa.String(length=100), nullable=False),
    sa.Column('colour_hex', sa.String(length=9), nullable=False),
    sa.Column('filament_id', sa.String(length=36), nullable=True),
    sa.Column('grams_mg', sa.BigInteger(), nullable=False),
    sa.Column('length_um', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.String(length=32), nullable=True),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'id', name=op.f('pk_variant_materials'))
    )
    with op.batch_alter_table('variant_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variant_materials_variant_id'), ['variant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('variant_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variant_materials_variant_id'))

    op.drop_table('variant_materials')
    op.drop_table('user_settings')
    op.drop_table('tags')
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movements_product_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_event_id'))

    op.drop_table('stock_movements')
    with op.batch_alter_table('spools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spools_filament_id'))

    op.drop_table('spools')
    with op.batch_alter_table('sliced_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sliced_files_variant_id'))

    op.drop_table('sliced_files')
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_product_id'))
        batch_op.drop_index(batch_op.f('ix_sales_event_id'))

    op.drop_table('sales')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_variant_id'))

    op.drop_table('products')
    op.drop_table('printers')
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_jobs_variant_id'))
        batch_op.drop_index(batch_op.f('ix_print_jobs_printer_id'))
        batch_op.drop_index(batch_op.f('ix_print_jobs_event_id'))

    op.drop_table('print_jobs')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_table_row')

    op.drop_table('outbox')
    op.drop_table('models')
    with op.batch_alter_table('model_variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_variants_model_id'))

    op.drop_table('model_variants')
    with op.batch_alter_table('model_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_tags_tag_id'))
        batch_op.drop_index(batch_op.f('ix_model_tags_model_id'))

    op.drop_table('model_tags')
    with op.batch_alter_table('model_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_files_model_id'))
        batch_op.drop_index(batch_op.f('ix_model_files_blob_id'))

    op.drop_table('model_files')
    op.drop_table('market_events')
    op.drop_table('local_state')
    op.drop_table('file_blobs')
    op.drop_table('filaments')
    with op.batch_alter_table('filament_usage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filament_usage_spool_id'))
        batch_op.drop_index(batch_op.f('ix_filament_usage_job_id'))

    op.drop_table('filament_usage')
    with op.batch_alter_table('event_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_items_event_id'))

    op.drop_table('event_items')
    with op.batch_alter_table('bom_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bom_lines_product_id'))

    op.drop_table('bom_lines')
    op.drop_table('audit_entries')
