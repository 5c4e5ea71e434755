"""The print queue: jobs per printer, and what finishing or failing one does to the shelf and the stock.

Finishing a job uses, on the chosen spool of each extruder slot, copies x the variant's grams for that slot,
and adds copies x units-per-plate of the job's product to the stock at home. Failing uses the printed
fraction of that filament and adds nothing. Each is one transaction with its audit entry.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sqlalchemy import func, select

from core import faults
from core.changes import UnitOfWork, fetch
from core.db.models import (
    FilamentUsage,
    MarketEvent,
    ModelVariant,
    Printer,
    PrintJob,
    Product,
    Spool,
    StockMovement,
    VariantMaterial,
)
from core.errors import NotFound, ValidationError
from core.services import checks, records
from core.services.ledgers import spool_remaining_mg
from core.services.views import JobResult, JobView, view_of
from core.workspace import Workspace

STATUSES = ("queued", "printing", "done", "failed", "cancelled")
OPEN = ("queued", "printing")


class Unchanged(enum.Enum):
    """The type of `KEEP`: an argument that leaves a field as it is (None, by contrast, means "none")."""

    KEEP = "keep"


KEEP: Final = Unchanged.KEEP

# For looking jobs up by id (jobs are created and changed only through the functions below).
SPEC = records.EntitySpec(model=PrintJob, fields={}, describe=lambda j: j.id[-8:])


def _view(row: PrintJob) -> JobView:
    return view_of(JobView, row, spools=dict(row.spools))


def _product_for_variant(uow: UnitOfWork, variant_id: str) -> str | None:
    return uow.session.scalars(
        select(Product.id)
        .where(Product.owner_id == uow.owner_id, Product.variant_id == variant_id, Product.deleted.is_(False))
        .order_by(Product.created_at)
        .limit(1)
    ).first()


def _clean_spools(uow: UnitOfWork, spools: Mapping[int, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for slot, spool_id in spools.items():
        uow.get(Spool, spool_id)
        clean[str(int(slot))] = spool_id
    return clean


def queue_job(
    ws: Workspace,
    variant_id: str,
    *,
    copies: int = 1,
    printer_id: str | None = None,
    product_id: str | None = None,
    event_id: str | None = None,
    priority: int = 0,
    notes: str = "",
) -> JobView:
    """Put `copies` plates of a variant at the end of a printer's queue (or the unassigned queue)."""
    with ws.write() as uow:
        return _view(
            queue_job_in(
                uow,
                variant_id,
                copies=copies,
                printer_id=printer_id,
                product_id=product_id,
                event_id=event_id,
                priority=priority,
                notes=notes,
            )
        )


def queue_job_in(
    uow: UnitOfWork,
    variant_id: str,
    *,
    copies: int = 1,
    printer_id: str | None = None,
    product_id: str | None = None,
    event_id: str | None = None,
    priority: int = 0,
    notes: str = "",
) -> PrintJob:
    """`queue_job` inside a caller's transaction (planning queues several jobs at once)."""
    checks.integer(copies, "number of copies", minimum=1, maximum=10_000)
    variant = uow.get(ModelVariant, variant_id)
    if printer_id:
        uow.get(Printer, printer_id)
    if event_id:
        uow.get(MarketEvent, event_id)
    if product_id:
        uow.get(Product, product_id)
    else:
        product_id = _product_for_variant(uow, variant_id)
    last = uow.session.scalar(
        select(func.max(PrintJob.position)).where(
            PrintJob.owner_id == uow.owner_id,
            PrintJob.printer_id.is_(None) if printer_id is None else PrintJob.printer_id == printer_id,
        )
    )
    job = uow.create(
        PrintJob,
        variant_id=variant.id,
        product_id=product_id,
        printer_id=printer_id,
        copies=copies,
        position=(last or 0) + 1,
        priority=priority,
        event_id=event_id,
        notes=checks.text(notes, "notes", max_len=10_000),
    )
    uow.audit("job.queue", f"Queued {copies} x {variant.name}", job)
    return job


def edit_job(
    ws: Workspace,
    job_id: str,
    *,
    copies: int | None = None,
    priority: int | None = None,
    notes: str | None = None,
    event_id: str | None = None,
) -> JobView:
    """Change a job that has not started yet."""
    with ws.write() as uow:
        job = uow.get(PrintJob, job_id)
        if job.status != "queued":
            raise ValidationError(f"This job is {job.status}; only a queued job can be changed.")
        changes: dict[str, object] = {}
        if copies is not None:
            changes["copies"] = checks.integer(copies, "number of copies", minimum=1, maximum=10_000)
        if priority is not None:
            changes["priority"] = checks.integer(priority, "priority", minimum=None)
        if notes is not None:
            changes["notes"] = checks.text(notes, "notes", max_len=10_000)
        if event_id is not None:
            changes["event_id"] = uow.get(MarketEvent, event_id).id if event_id else None
        if uow.update(job, **changes):
            uow.audit("job.edit", f"Changed job {job.id[-8:]}", job)
        return _view(job)


def delete_job(ws: Workspace, job_id: str) -> None:
    """Remove a job from the queue for good (to the trash); a done or failed job keeps its history."""
    records.delete(ws, SPEC, job_id)


def get_job(ws: Workspace, job_id: str) -> JobView:
    with ws.read() as session:
        return _view(fetch(session, PrintJob, ws.owner_id, job_id))


def list_jobs(ws: Workspace, *, status: str | None = None, printer_id: str | None = None) -> list[JobView]:
    with ws.read() as session:
        query = select(PrintJob).where(PrintJob.owner_id == ws.owner_id, PrintJob.deleted.is_(False))
        if status:
            query = query.where(PrintJob.status == checks.one_of(status, "status", STATUSES))
        if printer_id:
            query = query.where(PrintJob.printer_id == printer_id)
        rows = session.scalars(query.order_by(PrintJob.printer_id, PrintJob.position, PrintJob.created_at))
        return [_view(r) for r in rows]


def _open_job(uow: UnitOfWork, job_id: str, action: str) -> PrintJob:
    job = uow.get(PrintJob, job_id)
    if job.status not in OPEN:
        raise ValidationError(f"This job is {job.status}; only a queued or printing job can be {action}.")
    return job


def start_job(
    ws: Workspace,
    job_id: str,
    *,
    printer_id: str | None = None,
    spools: Mapping[int, str] | None = None,
) -> JobView:
    with ws.write() as uow:
        job = uow.get(PrintJob, job_id)
        if job.status != "queued":
            raise ValidationError(f"This job is {job.status}; only a queued job can be started.")
        changes: dict[str, object] = {"status": "printing", "started_at": uow.now}
        if printer_id:
            uow.get(Printer, printer_id)
            changes["printer_id"] = printer_id
        if spools:
            changes["spools"] = {**job.spools, **_clean_spools(uow, spools)}
        uow.update(job, **changes)
        uow.audit("job.start", f"Started job {job.id[-8:]}", job)
        return _view(job)


def _usage_per_spool(uow: UnitOfWork, job: PrintJob, permille: int) -> dict[str, int]:
    """Milligrams to take off each chosen spool: copies x grams per slot x the printed fraction."""
    materials = uow.session.scalars(
        select(VariantMaterial).where(
            VariantMaterial.owner_id == uow.owner_id,
            VariantMaterial.variant_id == job.variant_id,
            VariantMaterial.deleted.is_(False),
        )
    )
    usage: dict[str, int] = {}
    for material in materials:
        if material.grams_mg <= 0:
            continue
        spool_id = job.spools.get(str(material.slot))
        if spool_id is None:
            raise ValidationError(
                f"Choose a spool for extruder {material.slot + 1} "
                f"({material.material or 'filament'} {material.colour_name}".rstrip()
                + ")."
            )
        amount = Decimal(job.copies * material.grams_mg * permille) / 1000
        usage[spool_id] = usage.get(spool_id, 0) + int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return usage


def _use_filament(uow: UnitOfWork, job: PrintJob, usage: dict[str, int], reason: str) -> list[str]:
    warnings = []
    spools = [uow.get(Spool, sid) for sid in usage]
    remaining = spool_remaining_mg(uow.session, uow.owner_id, spools)
    for spool in spools:
        uow.append(FilamentUsage, spool_id=spool.id, delta_mg=-usage[spool.id], reason=reason, job_id=job.id)
        if not spool.opened:
            uow.update(spool, opened=True)
        left = remaining[spool.id] - usage[spool.id]
        if left < 0:
            warnings.append(
                f"Spool {spool.id[-8:]} now shows {left / 1000:g} g; weigh it in to correct the shelf."
            )
    return warnings


def finish_job(ws: Workspace, job_id: str, *, spools: Mapping[int, str] | None = None) -> JobResult:
    """The job printed well: its filament comes off the spools and its units go into stock, together."""
    with ws.write() as uow:
        job = _open_job(uow, job_id, "finished")
        if spools:
            uow.update(job, spools={**job.spools, **_clean_spools(uow, spools)})
        variant = uow.find(ModelVariant, job.variant_id)
        if variant is None:
            raise NotFound("variant", job.variant_id)
        usage = _usage_per_spool(uow, job, 1000)
        warnings = _use_filament(uow, job, usage, "print")
        faults.checkpoint("job.finish")
        units = job.copies * variant.units_per_plate
        if job.product_id:
            product = uow.get(Product, job.product_id)
            uow.append(StockMovement, product_id=product.id, quantity=units, reason="printed", job_id=job.id)
        else:
            units = 0
            warnings.append("This job has no product, so nothing was added to stock.")
        uow.update(
            job,
            status="done",
            finished_at=uow.now,
            started_at=job.started_at or uow.now,
            printed_permille=1000,
        )
        total = sum(usage.values())
        uow.audit(
            "job.finish",
            f"Finished {job.copies} x {variant.name}: {units} units, {total / 1000:g} g filament",
            job,
        )
        return JobResult(_view(job), units, usage, warnings)


def fail_job(
    ws: Workspace,
    job_id: str,
    *,
    printed_permille: int = 1000,
    reason: str = "",
    spools: Mapping[int, str] | None = None,
) -> JobResult:
    """The job failed after printing `printed_permille`/1000 of it: that filament is used, no units made."""
    checks.integer(printed_permille, "printed fraction", minimum=0, maximum=1000)
    with ws.write() as uow:
        job = _open_job(uow, job_id, "failed")
        if spools:
            uow.update(job, spools={**job.spools, **_clean_spools(uow, spools)})
        usage = _usage_per_spool(uow, job, printed_permille) if printed_permille else {}
        usage = {sid: mg for sid, mg in usage.items() if mg > 0}
        warnings = _use_filament(uow, job, usage, "failed_print")
        uow.update(
            job,
            status="failed",
            finished_at=uow.now,
            printed_permille=printed_permille,
            failure_reason=checks.text(reason, "failure reason", max_len=2000),
        )
        uow.audit(
            "job.fail", f"Job {job.id[-8:]} failed at {printed_permille / 10:g}%: {reason}".strip(), job
        )
        return JobResult(_view(job), 0, usage, warnings)


def cancel_job(ws: Workspace, job_id: str) -> JobView:
    with ws.write() as uow:
        job = _open_job(uow, job_id, "cancelled")
        uow.update(job, status="cancelled", finished_at=uow.now)
        uow.audit("job.cancel", f"Cancelled job {job.id[-8:]}", job)
        return _view(job)


def move_job(
    ws: Workspace, job_id: str, position: int, *, printer_id: str | Unchanged | None = KEEP
) -> list[JobView]:
    """Put a queued job at `position` (1-based) in a printer's queue, renumbering the others there.

    `printer_id` is the queue it goes to: KEEP (the default) its own, a printer's id that printer's, and
    None the queue of jobs with no printer (unassigned). Returns that queue in its new order.
    """
    checks.integer(position, "position", minimum=1)
    with ws.write() as uow:
        job = uow.get(PrintJob, job_id)
        if job.status != "queued":
            raise ValidationError("Only a queued job can be moved.")
        target = job.printer_id if printer_id is KEEP else printer_id or None
        printer = uow.get(Printer, target) if target else None
        queue = [
            j
            for j in uow.session.scalars(
                select(PrintJob)
                .where(
                    PrintJob.owner_id == uow.owner_id,
                    PrintJob.deleted.is_(False),
                    PrintJob.status == "queued",
                    PrintJob.printer_id.is_(None) if target is None else PrintJob.printer_id == target,
                )
                .order_by(PrintJob.position, PrintJob.created_at)
            )
            if j.id != job.id
        ]
        queue.insert(min(position, len(queue) + 1) - 1, job)
        where = ""
        if target != job.printer_id:
            where = f" in the queue of {printer.name}" if printer is not None else " in the unassigned queue"
        for index, row in enumerate(queue, start=1):
            uow.update(row, position=index, **({"printer_id": target} if row is job else {}))
        uow.audit("job.move", f"Moved job {job.id[-8:]} to place {position}{where}", job)
        return [_view(j) for j in queue]
