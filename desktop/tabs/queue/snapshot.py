"""What the Print queue tab shows, read from core in one go and free of Qt: the jobs per printer in their
order, each with its variant, product, filament warnings and estimated start and finish.

Estimates: a printer's queue runs from now, or from when its printing job is due to end (its `started_at`
plus the variant's print time x copies; a print past its estimate is due now). Each queued job then takes
print time x copies. A job whose print time is unknown has no estimate, and the jobs after it on that
printer are marked as "at least" estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.errors import NotFound
from core.services import jobs, library, matching, printers, products
from core.services.views import JobView, PrinterView, VariantView
from core.timeutil import parse
from core.workspace import Workspace

HISTORY = 8  # closed jobs shown under "Finished recently"
UNASSIGNED = ""  # the section key of jobs with no printer
FINISHED = "finished"  # the section key of the closed jobs


@dataclass(frozen=True)
class JobRow:
    job: JobView
    title: str  # the variant's name
    units_per_plate: int
    print_time_s: int | None  # per plate
    grams_mg: int  # per plate, all extruders
    materials: tuple[tuple[str, str], ...]  # (description, colour code) per extruder slot that uses filament
    product_name: str | None
    starts_at: datetime | None = None
    finishes_at: datetime | None = None
    at_least: bool = False  # an earlier job's print time is unknown: the estimate is a lower bound
    warnings: tuple[str, ...] = ()  # filament warnings, given the jobs ahead of it

    @property
    def id(self) -> str:
        return self.job.id

    @property
    def duration_s(self) -> int | None:
        return None if self.print_time_s is None else self.print_time_s * self.job.copies

    @property
    def units(self) -> int:
        return self.job.copies * self.units_per_plate

    @property
    def total_grams_mg(self) -> int:
        return self.grams_mg * self.job.copies

    def overdue(self, now: datetime) -> bool:
        """A printing job past its estimated end."""
        return self.job.status == "printing" and self.finishes_at is not None and self.finishes_at <= now

    def progress(self, now: datetime) -> float | None:
        """The share of a printing job's estimated time that has passed (0..1), or None."""
        if self.job.status != "printing" or not self.job.started_at or not self.duration_s:
            return None
        elapsed = (now - parse(self.job.started_at)).total_seconds()
        return max(0.0, min(1.0, elapsed / self.duration_s))


@dataclass(frozen=True)
class Section:
    key: str  # printer id, UNASSIGNED or FINISHED
    title: str
    printer: PrinterView | None
    job_ids: tuple[str, ...]
    free_at: datetime | None = None  # when its last job is estimated to end
    at_least: bool = False


@dataclass(frozen=True)
class QueueSnapshot:
    now: datetime
    sections: tuple[Section, ...]
    rows: dict[str, JobRow]
    shortages: tuple[str, ...] = ()  # filament the whole queue runs short of
    printers: tuple[PrinterView, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)  # status -> open jobs

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def _variants(ws: Workspace, ids: set[str]) -> dict[str, VariantView]:
    out = {}
    for variant_id in ids:
        with suppress(NotFound):  # deleted since the job was queued: the row says so
            out[variant_id] = library.get_variant(ws, variant_id)
    return out


def _row(job: JobView, variant: VariantView | None, product_names: dict[str, str]) -> JobRow:
    if variant is None:
        return JobRow(job, "", 1, None, 0, (), product_names.get(job.product_id or ""))
    materials = tuple(
        (
            matching.Requirement(
                m.slot, m.grams_mg, m.material or (variant.material if m.slot == 0 else ""),
                m.colour_name or (variant.colour if m.slot == 0 else ""), m.colour_hex,
            ).description,
            m.colour_hex,
        )
        for m in variant.materials
        if m.grams_mg > 0
    )  # fmt: skip
    return JobRow(
        job=job,
        title=variant.name,
        units_per_plate=variant.units_per_plate,
        print_time_s=variant.print_time_s,
        grams_mg=variant.grams_mg,
        materials=materials,
        product_name=product_names.get(job.product_id or ""),
    )


def schedule(rows: Sequence[JobRow], now: datetime) -> tuple[list[JobRow], datetime | None, bool]:
    """Start and finish estimates for one printer's jobs (printing first, then queued in order); returns the
    rows, when the printer is free and whether that is a lower bound."""
    clock = now
    at_least = False
    out: list[JobRow] = []
    for row in rows:
        duration = row.duration_s
        if row.job.status == "printing":
            start = parse(row.job.started_at) if row.job.started_at else now
            if duration is None:
                out.append(_with_times(row, start, None, at_least))
                at_least = True
                continue
            end = start + timedelta(seconds=duration)
            clock = max(clock, end, now)
            out.append(_with_times(row, start, end, at_least))
            continue
        start = clock
        if duration is None:
            out.append(_with_times(row, start, None, at_least))
            at_least = True
            continue
        clock = start + timedelta(seconds=duration)
        out.append(_with_times(row, start, clock, at_least))
    return out, clock, at_least


def _with_times(row: JobRow, start: datetime, end: datetime | None, at_least: bool) -> JobRow:
    return replace(row, starts_at=start, finishes_at=end, at_least=at_least)


@dataclass(frozen=True)
class QueueData:
    """What `read` got from core; `arrange` lays it out for a moment in time (so the estimates can move on
    with the clock without reading again)."""

    open_rows: tuple[JobRow, ...]  # queued and printing, in list order
    closed_rows: tuple[JobRow, ...]  # most recently finished first
    printers: tuple[PrinterView, ...]
    shortages: tuple[str, ...]


def read(ws: Workspace, *, history: int = HISTORY) -> QueueData:
    all_jobs = jobs.list_jobs(ws)
    open_jobs = [j for j in all_jobs if j.status in jobs.OPEN]
    closed = sorted(
        (j for j in all_jobs if j.status not in jobs.OPEN),
        key=lambda j: j.finished_at or "",
        reverse=True,
    )[:history]
    variants = _variants(ws, {j.variant_id for j in open_jobs + closed})
    product_names = {p.id: p.name for p in products.list_products(ws, include_archived=True)}
    plan = matching.plan_usage(ws, open_jobs)

    def row(job: JobView) -> JobRow:
        made = _row(job, variants.get(job.variant_id), product_names)
        if job.id in plan.jobs:
            made = replace(made, warnings=tuple(plan.jobs[job.id].warnings))
        return made

    return QueueData(
        tuple(row(j) for j in open_jobs),
        tuple(row(j) for j in closed),
        tuple(printers.list_printers(ws)),
        tuple(plan.warnings),
    )


def arrange(data: QueueData, now: datetime) -> QueueSnapshot:
    rows: dict[str, JobRow] = {r.id: r for r in data.open_rows + data.closed_rows}
    known = {p.id: p for p in data.printers}
    by_printer: dict[str, list[JobRow]] = {}
    for row in data.open_rows:
        by_printer.setdefault(row.job.printer_id or UNASSIGNED, []).append(row)

    def ordered(items: list[JobRow]) -> list[JobRow]:
        """Printing first (longest running first), then the queued ones in their places."""
        return sorted(
            items, key=lambda r: (r.job.status != "printing", r.job.started_at or "", r.job.position)
        )

    sections: list[Section] = []
    keys = [p.id for p in data.printers if not p.archived or p.id in by_printer]
    keys += [k for k in by_printer if k != UNASSIGNED and k not in known]  # a printer deleted since
    for key in keys:
        printer = known.get(key)
        scheduled, free_at, at_least = schedule(ordered(by_printer.get(key, [])), now)
        for row in scheduled:
            rows[row.id] = row
        title = printer.name if printer is not None else ""  # the tab names a removed printer
        ids = tuple(r.id for r in scheduled)
        sections.append(Section(key, title, printer, ids, free_at if scheduled else None, at_least))
    unassigned = ordered(by_printer.get(UNASSIGNED, []))
    for printing in (r for r in unassigned if r.job.status == "printing"):  # started without a printer
        (timed,), _free, _at_least = schedule([printing], now)
        rows[timed.id] = timed
    sections.append(Section(UNASSIGNED, "", None, tuple(r.id for r in unassigned)))
    if data.closed_rows:
        sections.append(Section(FINISHED, "", None, tuple(r.id for r in data.closed_rows)))
    counts: dict[str, int] = {}
    for row in data.open_rows:
        counts[row.job.status] = counts.get(row.job.status, 0) + 1
    return QueueSnapshot(now, tuple(sections), rows, data.shortages, data.printers, counts)


def load(ws: Workspace, now: datetime) -> QueueSnapshot:
    return arrange(read(ws), now)
