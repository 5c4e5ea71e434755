"""Reports and insight: an event's profit, the alerts a maker should see, and the series the dashboard draws.

Event report: units and revenue per product come from the sales ledger (an undone sale is a row of the
opposite sign, so it nets out); the cost of goods sold is each product's unit cost today (`costing`) times
the units sold, rounded half up to the cent per product; profit is revenue less the cost of goods, the booth
fee and travel. Every total is the sum of the lines it shows, so the report adds up.

Alerts: products at or below their low-stock level (or below zero after an oversold stall sale), filaments
whose spools together hold less than the filament's low-stock weight, and products whose model's licence does
not allow selling prints (or does not say).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.changes import fetch
from core.db.models import (
    FilamentUsage,
    MarketEvent,
    Model,
    ModelVariant,
    Printer,
    PrintJob,
    Product,
    Sale,
    SlicedFile,
)
from core.services import costing, filament, products
from core.services.events import PAYMENT_METHODS
from core.services.views import EventView, view_of
from core.workspace import Workspace

# ---------------------------------------------------------------- the event report


@dataclass(frozen=True)
class ReportLine:
    product_id: str
    name: str
    units: int
    revenue_cents: int
    unit_cost_cents: int
    cogs_cents: int  # cost of goods sold

    @property
    def profit_cents(self) -> int:
        return self.revenue_cents - self.cogs_cents


@dataclass(frozen=True)
class EventReport:
    event: EventView
    lines: tuple[ReportLine, ...]  # best sellers first (units, then revenue)
    by_payment: dict[str, int]  # payment method -> revenue in cents
    oversold: tuple[str, ...]  # products sold beyond the stock there was: count them again

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def revenue_cents(self) -> int:
        return sum(line.revenue_cents for line in self.lines)

    @property
    def cogs_cents(self) -> int:
        return sum(line.cogs_cents for line in self.lines)

    @property
    def costs_cents(self) -> int:
        return self.event.booth_fee_cents + self.event.travel_cost_cents

    @property
    def profit_cents(self) -> int:
        return self.revenue_cents - self.cogs_cents - self.costs_cents

    def best_sellers(self, count: int = 3) -> list[ReportLine]:
        return [line for line in self.lines if line.units > 0][:count]


def event_report(
    ws: Workspace, event_id: str, costs: Mapping[str, costing.CostBreakdown] | None = None
) -> EventReport:
    """The report of one event. `costs` (product id -> unit cost) saves reading them again when a caller
    reports on several events; by default they are read for the products sold."""
    with ws.read() as session:
        event = view_of(EventView, fetch(session, MarketEvent, ws.owner_id, event_id))
        sold = session.execute(
            select(
                Sale.product_id, Sale.quantity, Sale.unit_price_cents, Sale.payment_method, Sale.oversold
            ).where(Sale.owner_id == ws.owner_id, Sale.event_id == event_id)
        ).all()
        names = dict(
            session.execute(
                select(Product.id, Product.name).where(
                    Product.owner_id == ws.owner_id, Product.id.in_({row[0] for row in sold})
                )
            ).all()
        )
    units: dict[str, int] = {}
    revenue: dict[str, int] = {}
    by_payment = dict.fromkeys(PAYMENT_METHODS, 0)
    oversold: set[str] = set()
    for product_id, quantity, price, method, over in sold:
        units[product_id] = units.get(product_id, 0) + quantity
        revenue[product_id] = revenue.get(product_id, 0) + quantity * price
        by_payment[method] = by_payment.get(method, 0) + quantity * price
        if over and quantity > 0:
            oversold.add(names.get(product_id, product_id))
    live = [pid for pid in units if pid in names]
    if costs is None:
        costs = costing.product_costs(ws, live) if live else {}
    lines = []
    for pid, count in units.items():
        cost = costs.get(pid)
        unit_cost = cost.total_cents if cost is not None else 0
        lines.append(
            ReportLine(
                product_id=pid,
                name=names.get(pid, "(deleted product)"),
                units=count,
                revenue_cents=revenue[pid],
                unit_cost_cents=unit_cost,
                cogs_cents=costing.to_cents(cost.total * count) if cost is not None else 0,
            )
        )
    lines.sort(key=lambda line: (-line.units, -line.revenue_cents, line.name.casefold()))
    return EventReport(event, tuple(lines), by_payment, tuple(sorted(oversold)))


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class Alert:
    kind: str  # product_stock, filament_stock, licence, oversold
    severity: str  # warning, info
    subject_id: str
    message: str


def alerts(ws: Workspace) -> list[Alert]:
    out: list[Alert] = []
    for p in products.list_products(ws):
        if p.archived:
            continue
        if p.on_hand < 0:
            out.append(
                Alert(
                    "oversold",
                    "warning",
                    p.id,
                    f"{p.name}: {-p.on_hand} more sold than there was in stock; count the stock again.",
                )
            )
        elif p.low_stock > 0 and p.on_hand <= p.low_stock:
            out.append(
                Alert(
                    "product_stock",
                    "warning",
                    p.id,
                    f"{p.name} is low: {p.on_hand} left (low at {p.low_stock}).",
                )
            )
    for f in filament.list_filaments(ws):
        if filament.running_low(f):
            name = " ".join(part for part in (f.brand, f.material, f.colour_name) if part)
            out.append(
                Alert(
                    "filament_stock",
                    "warning",
                    f.id,
                    f"{name} is low: {f.remaining_mg / 1000:,.0f} g left on the shelf "
                    f"(low at {f.low_stock_mg / 1000:,.0f} g).",
                )
            )
    out.extend(licence_alerts(ws))
    return out


def licence_alerts(ws: Workspace) -> list[Alert]:
    """Products printed from a model whose licence forbids selling prints (a warning) or does not say."""
    with ws.read() as session:
        rows = session.execute(
            select(Product.id, Product.name, Model.name, Model.licence_spdx, Model.licence_allows_selling)
            .join(
                ModelVariant,
                (ModelVariant.owner_id == Product.owner_id) & (ModelVariant.id == Product.variant_id),
            )
            .join(Model, (Model.owner_id == ModelVariant.owner_id) & (Model.id == ModelVariant.model_id))
            .where(Product.owner_id == ws.owner_id, Product.deleted.is_(False), Product.archived.is_(False))
            .order_by(Product.name)
        ).all()
    out = []
    for product_id, product_name, model_name, spdx, allows in rows:
        licence = f" ({spdx})" if spdx else ""
        if allows is False:
            out.append(
                Alert(
                    "licence",
                    "warning",
                    product_id,
                    f"{product_name}: the licence of {model_name}{licence} does not allow selling prints.",
                )
            )
        elif allows is None:
            out.append(
                Alert(
                    "licence",
                    "info",
                    product_id,
                    f"{product_name}: check whether the licence of {model_name}{licence} "
                    "allows selling prints.",
                )
            )
    return out


# ---------------------------------------------------------------- dashboard series


@dataclass(frozen=True)
class EventSales:
    event_id: str
    name: str
    starts_on: str | None
    revenue_cents: int
    profit_cents: int


def sales_per_event(ws: Workspace) -> list[EventSales]:
    """Revenue and profit of every event that sold something, oldest first."""
    with ws.read() as session:
        ids = list(
            session.scalars(
                select(MarketEvent.id)
                .where(MarketEvent.owner_id == ws.owner_id, MarketEvent.deleted.is_(False))
                .where(
                    select(Sale.id)
                    .where(Sale.owner_id == MarketEvent.owner_id, Sale.event_id == MarketEvent.id)
                    .exists()
                )
            )
        )
    costs = costing.product_costs(ws) if ids else {}  # once for every event, not once per event
    reports = [event_report(ws, event_id, costs) for event_id in ids]
    reports.sort(key=lambda r: (r.event.starts_on or "", r.event.name))
    return [
        EventSales(r.event.id, r.event.name, r.event.starts_on, r.revenue_cents, r.profit_cents)
        for r in reports
    ]


@dataclass(frozen=True)
class StockLevel:
    product_id: str
    name: str
    on_hand: int
    low_stock: int


def stock_levels(ws: Workspace) -> list[StockLevel]:
    return [
        StockLevel(p.id, p.name, p.on_hand, p.low_stock)
        for p in sorted(products.list_products(ws), key=lambda p: p.name.casefold())
        if not p.archived
    ]


def filament_used_per_month(
    ws: Workspace, months: int = 12, *, today: datetime | None = None
) -> list[tuple[str, int]]:
    """(YYYY-MM, milligrams used) for the last `months` months, oldest first; months with no use give 0."""
    now = today or datetime.now(UTC)
    keys = []
    year, month = now.year, now.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    with ws.read() as session:
        rows = session.execute(
            select(func.substr(FilamentUsage.at, 1, 7), func.sum(FilamentUsage.delta_mg))
            .where(
                FilamentUsage.owner_id == ws.owner_id,
                FilamentUsage.delta_mg < 0,
                FilamentUsage.at >= f"{keys[0]}-01",
            )
            .group_by(func.substr(FilamentUsage.at, 1, 7))
        ).all()
    used = {str(month_key): -int(total or 0) for month_key, total in rows}
    return [(key, used.get(key, 0)) for key in keys]


@dataclass(frozen=True)
class PrinterLoad:
    printer_id: str | None
    name: str
    weeks: tuple[tuple[str, float], ...]  # (Monday's date, hours printed that week), oldest first
    queued_hours: float  # what waits in its queue now


def queue_load(
    ws: Workspace, weeks: int = 8, *, today: datetime | None = None, printer_ids: Sequence[str] | None = None
) -> list[PrinterLoad]:
    """Hours printed per printer per week (by the jobs' start and finish times) and the hours queued now."""
    now = today or datetime.now(UTC)
    monday = (now - timedelta(days=now.weekday())).date()
    starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    with ws.read() as session:
        printers = list(
            session.scalars(
                select(Printer)
                .where(
                    Printer.owner_id == ws.owner_id, Printer.deleted.is_(False), Printer.archived.is_(False)
                )
                .order_by(Printer.name)
            )
        )
        job_rows = session.execute(
            select(
                PrintJob.printer_id,
                PrintJob.status,
                PrintJob.copies,
                PrintJob.started_at,
                PrintJob.finished_at,
                SlicedFile.print_time_s,
            )
            .outerjoin(
                SlicedFile,
                (SlicedFile.owner_id == PrintJob.owner_id) & (SlicedFile.variant_id == PrintJob.variant_id),
            )
            .where(PrintJob.owner_id == ws.owner_id, PrintJob.deleted.is_(False))
        ).all()
    printed: dict[tuple[str | None, str], float] = {}
    queued: dict[str | None, float] = {}
    for printer_id, status, copies, started, finished, seconds in job_rows:
        if status in ("queued", "printing"):
            queued[printer_id] = queued.get(printer_id, 0.0) + copies * (seconds or 0) / 3600
        if started and finished and status in ("done", "failed"):
            begin = datetime.fromisoformat(started.replace("Z", "+00:00"))
            end = datetime.fromisoformat(finished.replace("Z", "+00:00"))
            week = (end - timedelta(days=end.weekday())).date().isoformat()
            printed[(printer_id, week)] = (
                printed.get((printer_id, week), 0.0) + max((end - begin).total_seconds(), 0) / 3600
            )
    wanted = set(printer_ids) if printer_ids is not None else None
    out = []
    for printer in printers:
        if wanted is not None and printer.id not in wanted:
            continue
        series = tuple(
            (d.isoformat(), round(printed.get((printer.id, d.isoformat()), 0.0), 2)) for d in starts
        )
        out.append(PrinterLoad(printer.id, printer.name, series, round(queued.get(printer.id, 0.0), 2)))
    return out
