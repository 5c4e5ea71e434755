"""What a unit costs to make, and what to ask for it.

    unit cost = (filament + machine) / (1 - failure rate) + labour + bill of materials

per unit made (a plate's filament and time are shared by the units on it):

- **filament**: the grams of each extruder slot (as read from the sliced file) at the price per kilogram
  of the spool the filament matching would load (a spool's own price, else its filament's), else of the
  filament the slot names, else the average of the shelf's filaments of that material;
- **machine**: print hours x the printer's power draw x the electricity price, plus print hours x the
  printer's hourly wear;
- **failure allowance**: failed prints waste filament and machine time, so those two are divided by the
  share of prints that succeed (the printer's failure rate, else the one in settings);
- **labour**: the product's minutes of hand work (removing supports, packing) at the labour rate;
- **bill of materials**: each component (a key ring, a bag) at its own unit cost, times its count.

A product whose cost was entered by hand (`cost_cents`) costs that, whatever it is made of; a bought
accessory is costed that way. Amounts are exact `Decimal` cents until they are shown: `to_cents` rounds half
up to the cent.

The computation (`unit_cost`) is pure and needs no database; `variant_cost`, `product_cost` and
`product_costs` gather its inputs from a workspace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.base import Record
from core.db.models import (
    BomLine,
    Filament,
    ModelVariant,
    Printer,
    Product,
    SlicedFile,
    Spool,
    VariantMaterial,
)
from core.errors import NotFound, ValidationError
from core.services import settings
from core.services.matching import Requirement, Shelf, _read_shelf, match_requirements
from core.workspace import Workspace

ZERO = Decimal(0)
CENT = Decimal(1)
PRICING_METHODS = ("markup", "margin")
R = TypeVar("R", bound=Record)


def to_cents(amount: Decimal) -> int:
    """Round exact cents half up to whole cents, for showing and storing."""
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- the computation


@dataclass(frozen=True)
class FilamentLine:
    """One extruder slot's filament for one unit."""

    slot: int
    grams: Decimal
    cents_per_kg: Decimal | None  # None: no price known, counted as nothing
    source: str  # where the price came from: "Prusament PLA Orange (spool, Shelf A)"

    @property
    def cents(self) -> Decimal:
        return self.grams * self.cents_per_kg / 1000 if self.cents_per_kg is not None else ZERO


@dataclass(frozen=True)
class BomItem:
    component_id: str
    name: str
    quantity: int
    unit_cents: Decimal

    @property
    def cents(self) -> Decimal:
        return self.unit_cents * self.quantity


@dataclass(frozen=True)
class CostInputs:
    """Everything `unit_cost` needs, per unit."""

    filament: Sequence[FilamentLine] = ()
    print_hours: Decimal = ZERO
    power_w: int = 0
    electricity_cents_per_kwh: Decimal = ZERO
    wear_cents_per_hour: Decimal = ZERO
    failure_rate: Decimal = ZERO  # a fraction: 0.10 for one print in ten
    labour_minutes: Decimal = ZERO
    labour_cents_per_hour: Decimal = ZERO
    bom: Sequence[BomItem] = ()
    printer: str = ""  # the printer the machine time was costed on
    warnings: Sequence[str] = ()


@dataclass(frozen=True)
class CostBreakdown:
    """A unit cost and the parts it is made of, in exact cents."""

    filament: tuple[FilamentLine, ...] = ()
    print_hours: Decimal = ZERO
    printer: str = ""
    electricity: Decimal = ZERO
    wear: Decimal = ZERO
    failure_rate: Decimal = ZERO
    failure_allowance: Decimal = ZERO
    labour_minutes: Decimal = ZERO
    labour: Decimal = ZERO
    bom: tuple[BomItem, ...] = ()
    entered: Decimal | None = None  # a cost entered by hand replaces everything else
    warnings: tuple[str, ...] = field(default=())

    @property
    def filament_total(self) -> Decimal:
        return sum((line.cents for line in self.filament), ZERO)

    @property
    def machine(self) -> Decimal:
        return self.electricity + self.wear

    @property
    def bom_total(self) -> Decimal:
        return sum((item.cents for item in self.bom), ZERO)

    @property
    def total(self) -> Decimal:
        if self.entered is not None:
            return self.entered
        return self.filament_total + self.machine + self.failure_allowance + self.labour + self.bom_total

    @property
    def total_cents(self) -> int:
        return to_cents(self.total)


def unit_cost(inputs: CostInputs) -> CostBreakdown:
    if not ZERO <= inputs.failure_rate < 1:
        raise ValidationError("The failure rate must be at least 0 % and below 100 %.")
    filament = tuple(inputs.filament)
    electricity = inputs.print_hours * inputs.power_w / 1000 * inputs.electricity_cents_per_kwh
    wear = inputs.print_hours * inputs.wear_cents_per_hour
    at_risk = sum((line.cents for line in filament), ZERO) + electricity + wear
    allowance = at_risk / (1 - inputs.failure_rate) - at_risk
    return CostBreakdown(
        filament=filament,
        print_hours=inputs.print_hours,
        printer=inputs.printer,
        electricity=electricity,
        wear=wear,
        failure_rate=inputs.failure_rate,
        failure_allowance=allowance,
        labour_minutes=inputs.labour_minutes,
        labour=inputs.labour_minutes / 60 * inputs.labour_cents_per_hour,
        bom=tuple(inputs.bom),
        warnings=tuple(inputs.warnings),
    )


def suggested_price(cost: Decimal, method: str, percent: int) -> int:
    """A price in cents: cost plus `percent` % of it ("markup"), or the price of which `percent` % is profit
    ("margin"), rounded half up to the cent."""
    if method == "markup":
        return to_cents(cost * (100 + percent) / 100)
    if method == "margin":
        if not 0 <= percent < 100:
            raise ValidationError("A target margin must be at least 0 % and below 100 %.")
        return to_cents(cost * 100 / (100 - percent))
    raise ValidationError(f"Pricing by {method!r} is unknown; use one of {', '.join(PRICING_METHODS)}.")


def margin_percent(price_cents: int, cost: Decimal) -> Decimal | None:
    """The share of the price that is profit, in per cent (None for a price of nothing)."""
    if price_cents <= 0:
        return None
    return (Decimal(price_cents) - cost) * 100 / price_cents


# ---------------------------------------------------------------- gathering the inputs


@dataclass(frozen=True)
class Rates:
    electricity_cents_per_kwh: Decimal
    labour_cents_per_hour: Decimal
    failure_rate: Decimal
    pricing_method: str
    pricing_percent: int

    @classmethod
    def of(cls, values: Mapping[str, object]) -> Rates:
        return cls(
            electricity_cents_per_kwh=Decimal(str(values["electricity_cents_per_kwh"])),
            labour_cents_per_hour=Decimal(str(values["labour_cents_per_hour"])),
            failure_rate=Decimal(str(values["failure_rate_permille"])) / 1000,
            pricing_method=str(values["pricing_method"]),
            pricing_percent=int(str(values["pricing_percent"])),
        )


@dataclass
class _Costing:
    """One read of everything costing looks at, so that a whole product list is costed in a few queries."""

    session: Session
    owner_id: str
    rates: Rates
    shelf: Shelf
    filaments: dict[str, Filament]
    spools: dict[str, Spool]
    printers: list[Printer]
    products: dict[str, Product]
    bom: dict[str, list[BomLine]]
    variants: dict[str, ModelVariant] = field(default_factory=dict)
    materials: dict[str, list[VariantMaterial]] = field(default_factory=dict)
    times: dict[str, int | None] = field(default_factory=dict)
    done: dict[str, CostBreakdown] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session, owner_id: str, rates: Rates) -> _Costing:
        def live(model: type[R]) -> list[R]:
            return list(
                session.scalars(select(model).where(model.owner_id == owner_id, model.deleted.is_(False)))
            )

        bom: dict[str, list[BomLine]] = {}
        for line in live(BomLine):
            bom.setdefault(line.product_id, []).append(line)
        return cls(
            session=session,
            owner_id=owner_id,
            rates=rates,
            shelf=_read_shelf(session, owner_id),
            filaments={f.id: f for f in live(Filament)},
            spools={s.id: s for s in live(Spool)},
            printers=sorted(live(Printer), key=lambda p: (p.archived, p.name.casefold())),
            products={p.id: p for p in live(Product)},
            bom=bom,
        )

    def load_variants(self, ids: Sequence[str]) -> None:
        wanted = [i for i in set(ids) if i not in self.variants]
        if not wanted:
            return
        owner = self.owner_id
        for v in self.session.scalars(
            select(ModelVariant).where(
                ModelVariant.owner_id == owner, ModelVariant.id.in_(wanted), ModelVariant.deleted.is_(False)
            )
        ):
            self.variants[v.id] = v
            self.materials[v.id] = []
            self.times[v.id] = None
        for m in self.session.scalars(
            select(VariantMaterial).where(
                VariantMaterial.owner_id == owner,
                VariantMaterial.variant_id.in_(wanted),
                VariantMaterial.deleted.is_(False),
            )
        ):
            self.materials.setdefault(m.variant_id, []).append(m)
        for f in self.session.scalars(
            select(SlicedFile).where(
                SlicedFile.owner_id == owner, SlicedFile.variant_id.in_(wanted), SlicedFile.deleted.is_(False)
            )
        ):
            self.times[f.variant_id] = f.print_time_s

    # ------------------------------------------------------------ prices

    def _filament_price(self, filament: Filament) -> Decimal | None:
        if filament.price_cents <= 0 or filament.net_weight_mg <= 0:
            return None
        return Decimal(filament.price_cents) * 1_000_000 / filament.net_weight_mg

    def _spool_price(self, spool: Spool) -> Decimal | None:
        if spool.price_cents is not None and spool.price_cents > 0 and spool.initial_weight_mg > 0:
            return Decimal(spool.price_cents) * 1_000_000 / spool.initial_weight_mg
        filament = self.filaments.get(spool.filament_id)
        return self._filament_price(filament) if filament else None

    def _material_average(self, material: str) -> Decimal | None:
        prices = [
            p
            for f in self.filaments.values()
            if f.material.casefold() == material.casefold() and (p := self._filament_price(f)) is not None
        ]
        return sum(prices, ZERO) / len(prices) if prices else None

    def filament_lines(self, variant: ModelVariant, per_unit: int) -> tuple[list[FilamentLine], list[str]]:
        slots = sorted(self.materials.get(variant.id, []), key=lambda m: m.slot)
        requirements = [
            Requirement(
                slot=m.slot,
                grams_mg=m.grams_mg,
                material=m.material,
                colour_name=m.colour_name,
                colour_hex=m.colour_hex,
                filament_id=m.filament_id,
            )
            for m in slots
            if m.grams_mg > 0
        ]
        match = match_requirements(requirements, 1, self.shelf, variant_id=variant.id)
        lines, warnings = [], []
        for req in requirements:
            grams = Decimal(req.grams_mg) / 1000 / per_unit
            price: Decimal | None = None
            source = ""
            slot = match.slot(req.slot)
            candidate = slot.chosen if slot is not None else None
            spool = self.spools.get(candidate.spool_id) if candidate is not None else None
            named = self.filaments.get(req.filament_id) if req.filament_id else None
            if (
                candidate is not None
                and spool is not None
                and (price := self._spool_price(spool)) is not None
            ):
                where = f", {spool.location}" if spool.location else ""
                source = f"{candidate.spool.label} (spool{where})"
            elif named is not None and (price := self._filament_price(named)) is not None:
                source = " ".join(p for p in (named.brand, named.material, named.colour_name) if p)
            elif req.material and (price := self._material_average(req.material)) is not None:
                source = f"average {req.material} price"
            else:
                warnings.append(
                    f"No price is known for {req.description} (extruder {req.slot + 1}): "
                    "it is counted as nothing."
                )
            lines.append(FilamentLine(slot=req.slot, grams=grams, cents_per_kg=price, source=source))
        return lines, warnings

    def printer_for(self, variant: ModelVariant) -> Printer | None:
        if variant.printer_id:
            found = next((p for p in self.printers if p.id == variant.printer_id), None)
            if found is not None:
                return found
        if variant.printer_model:
            wanted = variant.printer_model.casefold()
            found = next((p for p in self.printers if p.model.casefold() == wanted), None)
            if found is not None:
                return found
        working = [p for p in self.printers if not p.archived]
        return working[0] if len(working) == 1 else None

    # ------------------------------------------------------------ costs

    def variant_inputs(self, variant: ModelVariant) -> CostInputs:
        per_unit = max(variant.units_per_plate, 1)
        lines, warnings = self.filament_lines(variant, per_unit)
        seconds = self.times.get(variant.id)
        printer = self.printer_for(variant)
        if seconds is None:
            warnings.append(f"The print time of {variant.name} is not known: machine time is not costed.")
        elif printer is None:
            warnings.append(f"No printer is set for {variant.name}: machine time is not costed.")
        failure = self.rates.failure_rate
        if printer is not None and printer.failure_rate_permille is not None:
            failure = Decimal(printer.failure_rate_permille) / 1000
        hours = Decimal(seconds or 0) / 3600 / per_unit if printer is not None else ZERO
        return CostInputs(
            filament=lines,
            print_hours=hours,
            power_w=printer.power_w if printer else 0,
            electricity_cents_per_kwh=self.rates.electricity_cents_per_kwh,
            wear_cents_per_hour=Decimal(printer.hourly_cost_cents) if printer else ZERO,
            failure_rate=failure,
            labour_cents_per_hour=self.rates.labour_cents_per_hour,
            printer=printer.name if printer else "",
            warnings=warnings,
        )

    def variant_cost(self, variant_id: str) -> CostBreakdown:
        self.load_variants([variant_id])
        variant = self.variants.get(variant_id)
        if variant is None:
            return CostBreakdown(warnings=("The variant is gone: nothing to cost.",))
        return unit_cost(self.variant_inputs(variant))

    def product_cost(self, product_id: str, _path: tuple[str, ...] = ()) -> CostBreakdown:
        if product_id in self.done:
            return self.done[product_id]
        product = self.products[product_id]
        if product.cost_cents is not None:
            result = CostBreakdown(entered=Decimal(product.cost_cents))
            self.done[product_id] = result
            return result
        warnings: list[str] = []
        bom = []
        for line in sorted(self.bom.get(product_id, []), key=lambda b: b.created_at):
            component = self.products.get(line.component_id)
            if component is None:
                continue
            if line.component_id in _path or line.component_id == product_id:
                warnings.append(f"{component.name} is part of itself; it is left out of the cost.")
                continue
            part = self.product_cost(line.component_id, (*_path, product_id))
            bom.append(BomItem(component.id, component.name, line.quantity, part.total))
        inputs = CostInputs(labour_cents_per_hour=self.rates.labour_cents_per_hour)
        if product.variant_id:
            self.load_variants([product.variant_id])
            variant = self.variants.get(product.variant_id)
            if variant is not None:
                inputs = self.variant_inputs(variant)
            else:
                warnings.append(f"The variant of {product.name} is gone: its print is not costed.")
        elif product.kind == "printed" and not bom:
            warnings.append(f"{product.name} has no variant and no cost entered: its cost is not known.")
        result = unit_cost(
            CostInputs(
                filament=inputs.filament,
                print_hours=inputs.print_hours,
                power_w=inputs.power_w,
                electricity_cents_per_kwh=inputs.electricity_cents_per_kwh,
                wear_cents_per_hour=inputs.wear_cents_per_hour,
                failure_rate=inputs.failure_rate,
                labour_minutes=Decimal(product.labour_s) / 60,
                labour_cents_per_hour=self.rates.labour_cents_per_hour,
                bom=bom,
                printer=inputs.printer,
                warnings=[*inputs.warnings, *warnings],
            )
        )
        self.done[product_id] = result
        return result


def rates(ws: Workspace) -> Rates:
    return Rates.of(settings.get_all(ws))


def variant_cost(ws: Workspace, variant_id: str) -> CostBreakdown:
    """A unit of a variant's print: filament, machine and the failure allowance (no labour, no parts)."""
    rate = rates(ws)
    with ws.read() as session:
        return _Costing.read(session, ws.owner_id, rate).variant_cost(variant_id)


def product_cost(ws: Workspace, product_id: str) -> CostBreakdown:
    return product_costs(ws, [product_id])[product_id]


def product_costs(ws: Workspace, product_ids: Sequence[str] | None = None) -> dict[str, CostBreakdown]:
    """Unit costs of the given products (default: every live product), read in one go."""
    rate = rates(ws)
    with ws.read() as session:
        costing = _Costing.read(session, ws.owner_id, rate)
        ids = list(costing.products) if product_ids is None else list(product_ids)
        missing = [i for i in ids if i not in costing.products]
        if missing:
            raise NotFound("product", missing[0])
        costing.load_variants([p.variant_id for p in costing.products.values() if p.variant_id])
        return {pid: costing.product_cost(pid) for pid in ids}


def suggested_price_for(ws: Workspace, cost: CostBreakdown) -> int:
    rate = rates(ws)
    return suggested_price(cost.total, rate.pricing_method, rate.pricing_percent)
