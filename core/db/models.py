"""Every table of the local store (and, with the server's own, of the cloud database).

References between synced tables are plain id columns with an index, never foreign keys: a child may arrive by
sync before its parent. Natural keys get deterministic ids (`core.ids.derived_id`) instead of unique keys.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Id, Ledger, Record, Timestamp

# ---------------------------------------------------------------- model library


class FileBlob(Record, Base):
    """A file stored once under its SHA-256; id = blob_id(sha256)."""

    __tablename__ = "file_blobs"
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # mesh, sliced, image, document, other
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    # What was read from the file (mesh measures and fingerprint, image size); empty for other files.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Model(Record, Base):
    """A printable design in the library."""

    __tablename__ = "models"
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    designer_name: Mapped[str] = mapped_column(String(200), default="")
    designer_url: Mapped[str] = mapped_column(String(500), default="")
    licence_spdx: Mapped[str] = mapped_column(String(100), default="")
    # None: unknown. Makers must know before they sell prints of someone else's design.
    licence_allows_selling: Mapped[bool | None] = mapped_column(default=None)
    source_url: Mapped[str] = mapped_column(String(500), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    thumbnail_blob_id: Mapped[str | None] = mapped_column(Id, default=None)


class Tag(Record, Base):
    """A tag name; id = derived_id(owner, "tag", name.casefold()) so two devices make the same tag."""

    __tablename__ = "tags"
    name: Mapped[str] = mapped_column(String(100))


class ModelTag(Record, Base):
    """A tag on a model; id = derived_id(model_id, tag_id). Removing it sets the tombstone."""

    __tablename__ = "model_tags"
    model_id: Mapped[str] = mapped_column(Id, index=True)
    tag_id: Mapped[str] = mapped_column(Id, index=True)


class ModelFile(Record, Base):
    """A file of a model (mesh, image, document); the content lives in the FileBlob."""

    __tablename__ = "model_files"
    model_id: Mapped[str] = mapped_column(Id, index=True)
    blob_id: Mapped[str] = mapped_column(Id, index=True)
    role: Mapped[str] = mapped_column(String(16), default="mesh")  # mesh, image, document
    name: Mapped[str] = mapped_column(String(255))


class ModelVariant(Record, Base):
    """A model sliced for one printer, material and colour."""

    __tablename__ = "model_variants"
    model_id: Mapped[str] = mapped_column(Id, index=True)
    name: Mapped[str] = mapped_column(String(200))
    printer_id: Mapped[str | None] = mapped_column(Id, default=None)
    printer_model: Mapped[str] = mapped_column(String(100), default="")
    material: Mapped[str] = mapped_column(String(50), default="")
    colour: Mapped[str] = mapped_column(String(100), default="")
    units_per_plate: Mapped[int] = mapped_column(default=1)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")


class SlicedFile(Record, Base):
    """The sliced file of a variant (1:1; id = derived_id(variant_id, "sliced")) and what was read from it."""

    __tablename__ = "sliced_files"
    variant_id: Mapped[str] = mapped_column(Id, index=True)
    blob_id: Mapped[str | None] = mapped_column(Id, default=None)
    format: Mapped[str] = mapped_column(String(32), default="")  # gcode, bgcode, gcode.3mf
    slicer: Mapped[str] = mapped_column(String(100), default="")
    slicer_version: Mapped[str] = mapped_column(String(50), default="")
    print_time_s: Mapped[int | None] = mapped_column(default=None)
    filament_mg: Mapped[list[Any]] = mapped_column(default=list)  # per extruder; null where unknown
    filament_um: Mapped[list[Any]] = mapped_column(default=list)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # everything else the parser read
    thumbnail_blob_ids: Mapped[list[Any]] = mapped_column(default=list)
    warnings: Mapped[list[Any]] = mapped_column(default=list)


class VariantMaterial(Record, Base):
    """What one extruder slot of a variant needs; id = derived_id(variant_id, "slot", str(slot))."""

    __tablename__ = "variant_materials"
    variant_id: Mapped[str] = mapped_column(Id, index=True)
    slot: Mapped[int] = mapped_column(Integer, default=0)
    material: Mapped[str] = mapped_column(String(50), default="")
    colour_name: Mapped[str] = mapped_column(String(100), default="")
    colour_hex: Mapped[str] = mapped_column(String(9), default="")
    filament_id: Mapped[str | None] = mapped_column(Id, default=None)
    grams_mg: Mapped[int] = mapped_column(default=0)
    length_um: Mapped[int] = mapped_column(default=0)


# ---------------------------------------------------------------- filament shelf


class Filament(Record, Base):
    """A filament product: what you would reorder."""

    __tablename__ = "filaments"
    brand: Mapped[str] = mapped_column(String(100), default="")
    material: Mapped[str] = mapped_column(String(50))
    colour_name: Mapped[str] = mapped_column(String(100), default="")
    colour_hex: Mapped[str] = mapped_column(String(9), default="")
    extra_colours: Mapped[list[Any]] = mapped_column(default=list)  # multi-colour filaments
    diameter_um: Mapped[int] = mapped_column(default=1750)
    density_mg_cm3: Mapped[int] = mapped_column(default=1240)
    net_weight_mg: Mapped[int] = mapped_column(default=1_000_000)
    empty_spool_weight_mg: Mapped[int] = mapped_column(default=0)
    price_cents: Mapped[int] = mapped_column(default=0)
    low_stock_mg: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")


class Spool(Record, Base):
    """A physical roll of a filament. Weight left = initial weight + the sum of its usage rows."""

    __tablename__ = "spools"
    filament_id: Mapped[str] = mapped_column(Id, index=True)
    initial_weight_mg: Mapped[int]
    empty_spool_weight_mg: Mapped[int | None] = mapped_column(default=None)  # overrides the filament's
    location: Mapped[str] = mapped_column(String(100), default="")
    lot: Mapped[str] = mapped_column(String(100), default="")
    purchase_date: Mapped[str | None] = mapped_column(String(10), default=None)
    price_cents: Mapped[int | None] = mapped_column(default=None)  # overrides the filament's
    opened: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")


class FilamentUsage(Ledger, Base):
    """A change in a spool's weight: negative for use, positive for a correction."""

    __tablename__ = "filament_usage"
    spool_id: Mapped[str] = mapped_column(Id, index=True)
    delta_mg: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))  # print, failed_print, manual, weigh_in, waste
    job_id: Mapped[str | None] = mapped_column(Id, default=None, index=True)
    note: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------- products and stock


class Product(Record, Base):
    """Finished goods and accessories. Stock on hand is the sum of its stock movements."""

    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="printed")  # printed, accessory, packaging
    variant_id: Mapped[str | None] = mapped_column(Id, default=None, index=True)
    price_cents: Mapped[int] = mapped_column(default=0)
    cost_cents: Mapped[int | None] = mapped_column(default=None)
    low_stock: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
    labour_s: Mapped[int] = mapped_column(default=0, server_default="0")  # hand work per unit, for costing


class BomLine(Record, Base):
    """A bill-of-materials line: a component product (part, accessory, packaging) and a count."""

    __tablename__ = "bom_lines"
    product_id: Mapped[str] = mapped_column(Id, index=True)
    component_id: Mapped[str] = mapped_column(Id)
    quantity: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(String(200), default="")


class StockMovement(Ledger, Base):
    """A change in a product's stock at home (event_id null) or at a market event."""

    __tablename__ = "stock_movements"
    product_id: Mapped[str] = mapped_column(Id, index=True)
    quantity: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))  # printed, sold, adjust, packed, returned, consumed
    event_id: Mapped[str | None] = mapped_column(Id, default=None, index=True)
    job_id: Mapped[str | None] = mapped_column(Id, default=None)
    sale_id: Mapped[str | None] = mapped_column(Id, default=None)
    note: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------- printers and the queue


class Printer(Record, Base):
    __tablename__ = "printers"
    name: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(100), default="")
    nozzle_um: Mapped[int] = mapped_column(default=400)
    build_x_mm: Mapped[int] = mapped_column(default=0)
    build_y_mm: Mapped[int] = mapped_column(default=0)
    build_z_mm: Mapped[int] = mapped_column(default=0)
    extruders: Mapped[int] = mapped_column(default=1)
    power_w: Mapped[int] = mapped_column(default=0)
    hourly_cost_cents: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
    failure_rate_permille: Mapped[int | None] = mapped_column(default=None)  # None: the one in settings


class PrintJob(Record, Base):
    """Plates of one variant to print. Units made = copies x units per plate."""

    __tablename__ = "print_jobs"
    variant_id: Mapped[str] = mapped_column(Id, index=True)
    product_id: Mapped[str | None] = mapped_column(Id, default=None)
    printer_id: Mapped[str | None] = mapped_column(Id, default=None, index=True)
    copies: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    priority: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    spools: Mapped[dict[str, Any]] = mapped_column(default=dict)  # extruder slot (text) -> spool id
    started_at: Mapped[str | None] = mapped_column(Timestamp, default=None)
    finished_at: Mapped[str | None] = mapped_column(Timestamp, default=None)
    printed_permille: Mapped[int | None] = mapped_column(default=None)  # of a failed job
    failure_reason: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[str | None] = mapped_column(Id, default=None, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------- market events


class MarketEvent(Record, Base):
    __tablename__ = "market_events"
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[str | None] = mapped_column(String(10), default=None)
    ends_on: Mapped[str | None] = mapped_column(String(10), default=None)
    venue: Mapped[str] = mapped_column(String(200), default="")
    booth_fee_cents: Mapped[int] = mapped_column(default=0)
    travel_cost_cents: Mapped[int] = mapped_column(default=0)
    theme: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned, packed, done
    notes: Mapped[str] = mapped_column(Text, default="")


class EventItem(Record, Base):
    """A packing-list line; id = derived_id(event_id, product_id). Packed/sold/returned come from ledgers."""

    __tablename__ = "event_items"
    event_id: Mapped[str] = mapped_column(Id, index=True)
    product_id: Mapped[str] = mapped_column(Id)
    target: Mapped[int] = mapped_column(default=0)


class Sale(Ledger, Base):
    """A sale as it happened. `oversold` flags a stall sale recorded beyond the stock on hand."""

    __tablename__ = "sales"
    event_id: Mapped[str | None] = mapped_column(Id, default=None, index=True)
    product_id: Mapped[str] = mapped_column(Id, index=True)
    quantity: Mapped[int]
    unit_price_cents: Mapped[int]
    payment_method: Mapped[str] = mapped_column(String(16), default="cash")  # cash, card, other
    oversold: Mapped[bool] = mapped_column(default=False)
    undoes_sale_id: Mapped[str | None] = mapped_column(Id, default=None)


# ---------------------------------------------------------------- audit and settings


class AuditEntry(Ledger, Base):
    """Who did what, from which device, when."""

    __tablename__ = "audit_entries"
    user: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64), default="")
    entity_id: Mapped[str | None] = mapped_column(Id, default=None)
    summary: Mapped[str] = mapped_column(Text, default="")


class UserSetting(Record, Base):
    """A synced setting; id = derived_id(owner, "setting", key)."""

    __tablename__ = "user_settings"
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON, default=None)


# ---------------------------------------------------------------- local-only tables (never synced)


class LocalState(Base):
    """Key/value state of this install's database: the owner, the last clock value, sync cursors."""

    __tablename__ = "local_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class OutboxEntry(Base):
    """One row per local change, written in the change's own transaction; sync pushes and then clears them."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(Id)
    kind: Mapped[str] = mapped_column(String(8))  # record, ledger
    hlc: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(Timestamp)


Index("ix_outbox_table_row", OutboxEntry.table_name, OutboxEntry.row_id)

SYNCED_MODELS: tuple[type[Record] | type[Ledger], ...] = (
    FileBlob,
    Model,
    Tag,
    ModelTag,
    ModelFile,
    ModelVariant,
    SlicedFile,
    VariantMaterial,
    Filament,
    Spool,
    FilamentUsage,
    Product,
    BomLine,
    StockMovement,
    Printer,
    PrintJob,
    MarketEvent,
    EventItem,
    Sale,
    AuditEntry,
    UserSetting,
)

MODEL_BY_TABLE: dict[str, type[Record] | type[Ledger]] = {m.__tablename__: m for m in SYNCED_MODELS}
