"""Planning: the filament a set of jobs needs and what to buy, and the print jobs an event's targets call for.

`filament_plan` runs the filament matching (`matching.plan_usage`) over a set of jobs (default: the queue) and
says, per filament that runs short, how many spools to buy and what they cost.

`plan_production` compares an event's packing-list targets with what there is: units already packed for
the event, units at home and units that queued or printing jobs will make. For the shortfall it plans jobs
of the product's variant (copies = plates, rounded up by the units a plate holds) and, with `create=True`,
queues them for the event in one transaction. A product with no variant cannot be printed: its line says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select

from core.changes import fetch
from core.db.models import Filament, MarketEvent, ModelVariant, PrintJob, Product
from core.services import jobs as jobs_service
from core.services.events import packing_list
from core.services.ledgers import on_hand
from core.services.matching import FilamentNeed, UsagePlan, plan_usage
from core.services.views import JobView
from core.workspace import Workspace

OPEN_STATUSES = ("queued", "printing")


@dataclass(frozen=True)
class Purchase:
    """Spools to buy of a filament that the plan runs short of."""

    need: FilamentNeed
    filament_id: str | None
    spools: int  # whole spools of the filament's net weight; 0 where the filament is not known
    net_weight_mg: int
    cost_cents: int  # spools x the filament's price

    @property
    def label(self) -> str:
        return self.need.label


@dataclass(frozen=True)
class FilamentPlan:
    usage: UsagePlan
    to_buy: tuple[Purchase, ...]

    @property
    def warnings(self) -> list[str]:
        out = []
        for p in self.to_buy:
            if p.spools:
                grams = f"{p.need.short_mg / 1000:,.0f} g"
                out.append(
                    f"Buy {p.spools} spool{'s' if p.spools != 1 else ''} of {p.label} ({grams} short)."
                )
            else:
                out.append(f"Buy {p.need.short_mg / 1000:,.0f} g of {p.label}: none of it is on the shelf.")
        return out


def _purchases(ws: Workspace, usage: UsagePlan) -> tuple[Purchase, ...]:
    ids = [n.filament_id for n in usage.short if n.filament_id]
    with ws.read() as session:
        filaments = {
            f.id: f
            for f in session.scalars(
                select(Filament).where(Filament.owner_id == ws.owner_id, Filament.id.in_(ids))
            )
        }
    out = []
    for need in usage.short:
        filament = filaments.get(need.filament_id or "")
        if filament is not None and filament.net_weight_mg > 0:
            spools = math.ceil(need.short_mg / filament.net_weight_mg)
            out.append(
                Purchase(need, filament.id, spools, filament.net_weight_mg, spools * filament.price_cents)
            )
        else:
            out.append(Purchase(need, None, 0, 0, 0))
    return tuple(out)


def filament_plan(ws: Workspace, jobs: Sequence[JobView] | None = None) -> FilamentPlan:
    """What `jobs` (default: every queued or printing job) need per filament, and what to buy."""
    usage = plan_usage(ws, jobs)
    return FilamentPlan(usage, _purchases(ws, usage))


# ---------------------------------------------------------------- an event's production


@dataclass(frozen=True)
class PlanLine:
    product_id: str
    product_name: str
    target: int
    packed: int  # units packed for the event so far (sold ones included)
    at_home: int
    queued: int  # units that queued or printing jobs of the product will make
    variant_id: str | None
    variant_name: str
    units_per_plate: int
    plates: int  # copies of the job to queue
    job_id: str | None  # the queued job, once created
    note: str  # why nothing can be queued, where that is so

    @property
    def short(self) -> int:
        return max(0, self.target - self.packed - self.at_home - self.queued)

    @property
    def units_planned(self) -> int:
        return self.plates * self.units_per_plate


@dataclass(frozen=True)
class ProductionPlan:
    event_id: str
    lines: tuple[PlanLine, ...]
    jobs: tuple[JobView, ...]  # the jobs queued (create=True) or that would be
    filament: FilamentPlan  # the whole queue with these jobs, against the shelf

    @property
    def warnings(self) -> list[str]:
        return [line.note for line in self.lines if line.note] + self.filament.warnings


def _queued_units(ws: Workspace, product_ids: Sequence[str]) -> dict[str, int]:
    with ws.read() as session:
        rows = session.execute(
            select(PrintJob.product_id, PrintJob.copies, ModelVariant.units_per_plate)
            .join(
                ModelVariant,
                (ModelVariant.owner_id == PrintJob.owner_id) & (ModelVariant.id == PrintJob.variant_id),
            )
            .where(
                PrintJob.owner_id == ws.owner_id,
                PrintJob.deleted.is_(False),
                PrintJob.status.in_(OPEN_STATUSES),
                PrintJob.product_id.in_(list(product_ids)),
            )
        ).all()
    out: dict[str, int] = {}
    for product_id, copies, per_plate in rows:
        if product_id is not None:
            out[product_id] = out.get(product_id, 0) + copies * max(per_plate, 1)
    return out


def plan_production(ws: Workspace, event_id: str, *, create: bool = False) -> ProductionPlan:
    """Jobs for what an event's targets still lack; queued for the event when `create` is true."""
    lines_in = packing_list(ws, event_id)
    ids = [line.product_id for line in lines_in]
    with ws.read() as session:
        event = fetch(session, MarketEvent, ws.owner_id, event_id)
        event_name = event.name
        home = on_hand(session, ws.owner_id, ids)
        products = {
            p.id: p
            for p in session.scalars(
                select(Product).where(Product.owner_id == ws.owner_id, Product.id.in_(ids))
            )
        }
        variant_ids = [p.variant_id for p in products.values() if p.variant_id]
        variants = {
            v.id: v
            for v in session.scalars(
                select(ModelVariant).where(
                    ModelVariant.owner_id == ws.owner_id,
                    ModelVariant.id.in_(variant_ids),
                    ModelVariant.deleted.is_(False),
                )
            )
        }
    queued = _queued_units(ws, ids)
    planned: list[PlanLine] = []
    for item in lines_in:
        product = products.get(item.product_id)
        variant = variants.get(product.variant_id or "") if product else None
        per_plate = max(variant.units_per_plate, 1) if variant else 1
        line = PlanLine(
            product_id=item.product_id,
            product_name=item.product_name,
            target=item.target,
            packed=item.packed,
            at_home=home.get(item.product_id, 0),
            queued=queued.get(item.product_id, 0),
            variant_id=variant.id if variant else None,
            variant_name=variant.name if variant else "",
            units_per_plate=per_plate,
            plates=0,
            job_id=None,
            note="",
        )
        if line.short and variant is None:
            line = replace(
                line, note=f"{line.product_name} has no variant to print: make or buy {line.short} more."
            )
        elif line.short:
            line = replace(line, plates=math.ceil(line.short / per_plate))
        planned.append(line)

    new_jobs: list[JobView] = []
    if create:
        planned = _queue(ws, event_id, event_name, planned, variants)
        new_jobs = [jobs_service.get_job(ws, line.job_id) for line in planned if line.job_id]
        queue = None  # the queue now holds them
    else:
        new_jobs = [
            _draft_job(line, variants[line.variant_id].printer_id, event_id)
            for line in planned
            if line.plates and line.variant_id
        ]
        queue = [*jobs_service.list_jobs(ws, status="printing"), *jobs_service.list_jobs(ws, status="queued")]
        queue += new_jobs
    return ProductionPlan(event_id, tuple(planned), tuple(new_jobs), filament_plan(ws, queue))


def _draft_job(line: PlanLine, printer_id: str | None, event_id: str) -> JobView:
    """A job as it would be queued, for planning the filament before anything is written."""
    return JobView(
        id=f"planned:{line.product_id}",
        variant_id=line.variant_id or "",
        product_id=line.product_id,
        printer_id=printer_id,
        copies=line.plates,
        position=1_000_000,
        priority=0,
        status="queued",
        spools={},
        started_at=None,
        finished_at=None,
        printed_permille=None,
        failure_reason="",
        event_id=event_id,
        notes="",
    )


def _queue(
    ws: Workspace,
    event_id: str,
    event_name: str,
    lines: list[PlanLine],
    variants: dict[str, ModelVariant],
) -> list[PlanLine]:
    """Queue every planned job in one transaction: all of them or none."""
    out = []
    with ws.write() as uow:
        for line in lines:
            if not line.plates or line.variant_id is None:
                out.append(line)
                continue
            variant = variants[line.variant_id]
            job = jobs_service.queue_job_in(
                uow,
                variant.id,
                copies=line.plates,
                printer_id=variant.printer_id,
                product_id=line.product_id,
                event_id=event_id,
                notes=f"For {event_name}",
            )
            out.append(replace(line, job_id=job.id))
        uow.audit(
            "event.plan",
            f"Planned {sum(line.plates for line in out)} plates for {event_name}",
            uow.get(MarketEvent, event_id),
        )
    return out
