"""Plain, frozen snapshots of records handed to the CLI and the GUI, with derived quantities filled in."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

V = TypeVar("V")


def view_of(cls: type[V], row: Any, **extra: Any) -> V:
    """Build view `cls` from an ORM row: every view field not given in `extra` is read from the row."""
    values = {
        f.name: extra[f.name] if f.name in extra else getattr(row, f.name)
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    }
    return cls(**values)


def as_dict(view: Any) -> dict[str, Any]:
    return dataclasses.asdict(view)


@dataclass(frozen=True)
class PrinterView:
    id: str
    name: str
    model: str
    nozzle_um: int
    build_x_mm: int
    build_y_mm: int
    build_z_mm: int
    extruders: int
    power_w: int
    hourly_cost_cents: int
    notes: str
    archived: bool
    failure_rate_permille: int | None  # None: the one in settings


@dataclass(frozen=True)
class FilamentView:
    id: str
    brand: str
    material: str
    colour_name: str
    colour_hex: str
    diameter_um: int
    density_mg_cm3: int
    net_weight_mg: int
    empty_spool_weight_mg: int
    price_cents: int
    low_stock_mg: int
    remaining_mg: int  # over all live spools


@dataclass(frozen=True)
class SpoolView:
    id: str
    filament_id: str
    label: str  # brand material colour
    initial_weight_mg: int
    remaining_mg: int
    empty_spool_weight_mg: int | None  # None: the filament's empty-spool weight applies
    location: str
    lot: str
    purchase_date: str | None
    price_cents: int | None
    opened: bool
    archived: bool
    notes: str


@dataclass(frozen=True)
class UsageView:
    id: str
    spool_id: str
    delta_mg: int
    reason: str
    job_id: str | None
    note: str
    at: str


@dataclass(frozen=True)
class ProductView:
    id: str
    sku: str
    name: str
    kind: str
    variant_id: str | None
    price_cents: int
    cost_cents: int | None
    low_stock: int
    on_hand: int  # at home, not packed for an event
    archived: bool
    description: str
    labour_s: int  # hand work per unit

    @property
    def is_low(self) -> bool:
        return self.on_hand <= self.low_stock


@dataclass(frozen=True)
class MovementView:
    id: str
    product_id: str
    quantity: int
    reason: str
    event_id: str | None
    job_id: str | None
    sale_id: str | None
    note: str
    at: str


@dataclass(frozen=True)
class ModelView:
    id: str
    name: str
    description: str
    designer_name: str
    designer_url: str
    licence_spdx: str
    licence_allows_selling: bool | None
    source_url: str
    category: str
    notes: str
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MaterialView:
    slot: int
    material: str
    colour_name: str
    colour_hex: str
    filament_id: str | None
    grams_mg: int
    length_um: int


@dataclass(frozen=True)
class VariantView:
    id: str
    model_id: str
    name: str
    printer_id: str | None
    printer_model: str
    material: str
    colour: str
    units_per_plate: int
    print_time_s: int | None
    materials: list[MaterialView]

    @property
    def grams_mg(self) -> int:
        return sum(m.grams_mg for m in self.materials)


@dataclass(frozen=True)
class JobView:
    id: str
    variant_id: str
    product_id: str | None
    printer_id: str | None
    copies: int
    position: int
    priority: int
    status: str
    spools: dict[str, str]
    started_at: str | None
    finished_at: str | None
    printed_permille: int | None
    failure_reason: str
    event_id: str | None
    notes: str


@dataclass(frozen=True)
class JobResult:
    """What finishing or failing a job did to the shelf and the stock."""

    job: JobView
    units_added: int
    usage_mg: dict[str, int]  # spool id -> milligrams used
    warnings: list[str]


@dataclass(frozen=True)
class EventView:
    id: str
    name: str
    starts_on: str | None
    ends_on: str | None
    venue: str
    booth_fee_cents: int
    travel_cost_cents: int
    theme: str
    status: str
    notes: str


@dataclass(frozen=True)
class EventLineView:
    """A packing-list line with its ledger sums."""

    product_id: str
    product_name: str
    target: int
    packed: int
    sold: int
    returned: int
    at_event: int


@dataclass(frozen=True)
class SaleView:
    id: str
    event_id: str | None
    product_id: str
    quantity: int
    unit_price_cents: int
    payment_method: str
    oversold: bool
    at: str
    undoes_sale_id: str | None = None  # set on the entry that takes a sale back


@dataclass(frozen=True)
class AuditView:
    id: str
    at: str
    user: str
    device_id: str
    action: str
    entity: str
    entity_id: str | None
    summary: str
