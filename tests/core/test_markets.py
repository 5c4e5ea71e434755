"""From a spool's price to an event's profit: planning production, stall sales, the event report, alerts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import Conflict, ValidationError
from core.services import (
    costing,
    events,
    filament,
    jobs,
    library,
    planning,
    printers,
    products,
    reports,
    settings,
    stall,
)
from core.workspace import Workspace


class Stall:
    """A keyring made six to a plate (18.4 g of orange PLA and 2 h 10 min per plate), a dice tower that is
    bought in, and a gift bag that goes with every keyring."""

    def __init__(self, ws: Workspace) -> None:
        settings.set_value(ws, "electricity_cents_per_kwh", 30)
        settings.set_value(ws, "labour_cents_per_hour", 1800)
        settings.set_value(ws, "failure_rate_permille", 0)
        self.mk4 = printers.add_printer(ws, name="MK4", power_w=120)
        self.pla = filament.add_filament(
            ws,
            brand="Prusament",
            material="PLA",
            colour_name="Orange",
            price_cents=2500,
            low_stock_mg=200_000,
        )
        self.spool = filament.add_spool(ws, filament_id=self.pla.id)
        model = library.add_model(ws, name="Planet", licence_spdx="CC-BY-4.0", licence_allows_selling=True)
        self.variant = library.add_variant(
            ws,
            model_id=model.id,
            name="Planet, orange PLA",
            printer_id=self.mk4.id,
            units_per_plate=6,
            materials=[library.MaterialInput(slot=0, grams_mg=18_400, material="PLA", colour_name="Orange")],
            print_time_s=2 * 3600 + 10 * 60,
        )
        self.bag = products.add_product(ws, name="Gift bag", kind="packaging", cost_cents=10)
        self.keyring = products.add_product(
            ws, name="Planet keyring", variant_id=self.variant.id, price_cents=600, labour_s=60, low_stock=5
        )
        products.set_bom_line(ws, self.keyring.id, self.bag.id, 1)
        self.tower = products.add_product(
            ws, name="Dice tower", kind="accessory", price_cents=2400, cost_cents=900
        )
        products.adjust_stock(ws, self.keyring.id, 4, reason="count")
        products.adjust_stock(ws, self.tower.id, 3, reason="count")
        self.event = events.create_event(
            ws, name="Christmas market", starts_on="2026-12-12", booth_fee_cents=4000, travel_cost_cents=1500
        )
        events.set_target(ws, self.event.id, self.keyring.id, 30)
        events.set_target(ws, self.event.id, self.tower.id, 3)


def test_plan_production_counts_stock_and_queued_jobs_and_rounds_up_to_plates(workspace: Workspace) -> None:
    shop = Stall(workspace)
    jobs.queue_job(workspace, shop.variant.id, copies=1, printer_id=shop.mk4.id)  # 6 keyrings on the way

    draft = planning.plan_production(workspace, shop.event.id)
    line = next(x for x in draft.lines if x.product_id == shop.keyring.id)
    assert (line.target, line.packed, line.at_home, line.queued, line.short) == (30, 0, 4, 6, 20)
    assert (line.plates, line.units_planned) == (4, 24)  # 20 keyrings, 6 to a plate
    tower = next(x for x in draft.lines if x.product_id == shop.tower.id)
    assert tower.short == 0 and tower.plates == 0
    assert len(jobs.list_jobs(workspace, status="queued")) == 1  # a draft writes nothing
    need = draft.filament.usage.needs[0]
    assert need.needed_mg == 5 * 18_400 and need.short_mg == 0
    assert draft.filament.to_buy == ()

    made = planning.plan_production(workspace, shop.event.id, create=True)
    (job,) = made.jobs
    assert (job.copies, job.event_id, job.product_id, job.printer_id) == (
        4,
        shop.event.id,
        shop.keyring.id,
        shop.mk4.id,
    )
    assert len(jobs.list_jobs(workspace, status="queued")) == 2
    again = planning.plan_production(workspace, shop.event.id)
    assert [x.plates for x in again.lines] == [0, 0]  # nothing more to plan


def test_a_product_that_cannot_be_printed_is_named(workspace: Workspace) -> None:
    shop = Stall(workspace)
    events.set_target(workspace, shop.event.id, shop.tower.id, 5)
    plan = planning.plan_production(workspace, shop.event.id)
    assert "Dice tower has no variant to print: make or buy 2 more." in plan.warnings


def test_what_to_buy_when_the_shelf_runs_short(workspace: Workspace) -> None:
    shop = Stall(workspace)
    filament.record_usage(workspace, shop.spool.id, 950_000)  # 50 g left
    jobs.queue_job(workspace, shop.variant.id, copies=5, printer_id=shop.mk4.id)  # 92 g
    plan = planning.filament_plan(workspace)
    (buy,) = plan.to_buy
    assert (buy.filament_id, buy.need.short_mg, buy.spools, buy.cost_cents) == (shop.pla.id, 42_000, 1, 2500)
    assert plan.warnings == ["Buy 1 spool of Prusament PLA Orange (42 g short)."]


def test_undoing_sales(workspace: Workspace) -> None:
    shop = Stall(workspace)
    events.pack(workspace, shop.event.id, shop.tower.id, 3)
    sale = stall.sell(workspace, shop.event.id, shop.tower.id, 2, "card")
    back = events.undo_sale(workspace, sale.id)
    assert (back.quantity, back.undoes_sale_id) == (-2, sale.id)
    assert stall.tiles(workspace, shop.event.id)[0].left == 3
    with pytest.raises(Conflict, match="taken back already"):
        events.undo_sale(workspace, sale.id)
    with pytest.raises(ValidationError, match="cannot be taken back itself"):
        events.undo_sale(workspace, back.id)
    assert stall.day(workspace, shop.event.id).sales == 0


def test_stall_day_totals_and_undo_last(workspace: Workspace) -> None:
    shop = Stall(workspace)
    events.pack(workspace, shop.event.id, shop.tower.id, 3)
    assert stall.undo_last(workspace, shop.event.id) is None
    stall.sell(workspace, shop.event.id, shop.tower.id, 1, "cash")
    stall.sell(workspace, shop.event.id, shop.tower.id, 2, "card")
    day = stall.day(workspace, shop.event.id)
    assert (day.sales, day.units, day.total_cents) == (2, 3, 7200)
    assert day.by_payment == {"cash": 2400, "card": 4800, "other": 0}
    stall.undo_last(workspace, shop.event.id)
    day = stall.day(workspace, shop.event.id)
    assert (day.sales, day.units, day.total_cents, day.by_payment["card"]) == (1, 1, 2400, 0)
    assert day.last_sale is not None and day.last_sale.quantity == 1


def test_the_whole_market_adds_up(workspace: Workspace) -> None:
    """Plan, print, pack, sell at the stall (one oversold), take one back, return the rest: the report, the
    stock and the shelf agree."""
    shop = Stall(workspace)
    plan = planning.plan_production(workspace, shop.event.id, create=True)
    (job,) = plan.jobs
    assert job.copies == 5  # 30 - 4 at home = 26 keyrings: 5 plates of 6
    result = jobs.finish_job(workspace, job.id, spools={0: shop.spool.id})
    assert result.units_added == 30
    assert filament.get_spool(workspace, shop.spool.id).remaining_mg == 1_000_000 - 5 * 18_400
    assert products.get_product(workspace, shop.keyring.id).on_hand == 34

    events.pack(workspace, shop.event.id, shop.keyring.id, 30)
    events.pack(workspace, shop.event.id, shop.tower.id, 3)
    for _ in range(12):
        stall.sell(workspace, shop.event.id, shop.keyring.id, 1, "cash")
    stall.sell(workspace, shop.event.id, shop.keyring.id, 3, "card")
    stall.sell(workspace, shop.event.id, shop.tower.id, 3, "card")
    stall.sell(workspace, shop.event.id, shop.tower.id, 1, "other")  # one more than was packed: recorded
    stall.sell(workspace, shop.event.id, shop.keyring.id, 1, "cash")
    stall.undo_last(workspace, shop.event.id)  # tapped twice by mistake
    returned = events.return_unsold(workspace, shop.event.id)
    assert returned == {shop.keyring.id: 15}

    report = reports.event_report(workspace, shop.event.id)
    lines = {line.name: line for line in report.lines}
    keyring_cost = costing.product_cost(workspace, shop.keyring.id)
    # 18.4 g / 6 at 25.00/kg = 7.6667; 2h10/6 at 120 W, 0.30/kWh = 1.3; labour 1 min at 18/h = 30; bag 10
    assert keyring_cost.total_cents == 49
    assert (lines["Planet keyring"].units, lines["Planet keyring"].revenue_cents) == (15, 9000)
    assert lines["Planet keyring"].cogs_cents == costing.to_cents(keyring_cost.total * 15) == 735
    assert (lines["Dice tower"].units, lines["Dice tower"].revenue_cents, lines["Dice tower"].cogs_cents) == (
        4,
        9600,
        3600,
    )
    assert report.revenue_cents == 18600
    assert report.by_payment == {"cash": 7200, "card": 9000, "other": 2400}
    assert sum(report.by_payment.values()) == report.revenue_cents
    assert report.costs_cents == 5500
    assert report.profit_cents == 18600 - 735 - 3600 - 5500
    assert [line.name for line in report.best_sellers()] == ["Planet keyring", "Dice tower"]
    assert report.oversold == ("Dice tower",)

    # The stock: 4 + 30 printed - 30 packed + 15 back = 19 keyrings at home; towers 3 - 3 packed - 4 sold = -1
    assert products.get_product(workspace, shop.keyring.id).on_hand == 19
    assert products.get_product(workspace, shop.tower.id).on_hand == 0  # the event's -1 stays at the event
    line = {x.product_id: x for x in events.packing_list(workspace, shop.event.id)}
    assert (line[shop.keyring.id].packed, line[shop.keyring.id].sold, line[shop.keyring.id].returned) == (
        30,
        15,
        15,
    )
    assert (line[shop.tower.id].sold, line[shop.tower.id].at_event) == (4, -1)


def test_alerts(workspace: Workspace) -> None:
    shop = Stall(workspace)
    filament.record_usage(workspace, shop.spool.id, 850_000)  # 150 g left, low at 200 g
    products.adjust_stock(workspace, shop.keyring.id, -1)  # 3 left, low at 5
    banned = library.add_model(
        workspace, name="Mouse", licence_spdx="CC-BY-NC-4.0", licence_allows_selling=False
    )
    unknown = library.add_model(workspace, name="Cat")
    for model, name in ((banned, "Mouse figure"), (unknown, "Cat figure")):
        variant = library.add_variant(workspace, model_id=model.id, name=name)
        products.add_product(workspace, name=name, variant_id=variant.id)
    found = [(a.kind, a.severity, a.message) for a in reports.alerts(workspace)]
    assert ("product_stock", "warning", "Planet keyring is low: 3 left (low at 5).") in found
    assert (
        "filament_stock",
        "warning",
        "Prusament PLA Orange is low: 150 g left on the shelf (low at 200 g).",
    ) in found
    assert (
        "licence",
        "warning",
        "Mouse figure: the licence of Mouse (CC-BY-NC-4.0) does not allow selling prints.",
    ) in found
    assert ("licence", "info", "Cat figure: check whether the licence of Cat allows selling prints.") in found
    assert not any("Planet keyring:" in message for _, _, message in found)  # its licence allows selling


def test_dashboard_series(workspace: Workspace) -> None:
    shop = Stall(workspace)
    job = jobs.queue_job(workspace, shop.variant.id, copies=2, printer_id=shop.mk4.id)
    jobs.start_job(workspace, job.id, spools={0: shop.spool.id})
    jobs.finish_job(workspace, job.id)
    jobs.queue_job(workspace, shop.variant.id, copies=3, printer_id=shop.mk4.id)
    events.pack(workspace, shop.event.id, shop.keyring.id, 4)
    stall.sell(workspace, shop.event.id, shop.keyring.id, 2)

    months = reports.filament_used_per_month(workspace, 3)
    assert len(months) == 3 and months[-1] == (datetime.now(UTC).strftime("%Y-%m"), 2 * 18_400)
    (sales,) = reports.sales_per_event(workspace)
    assert (sales.name, sales.revenue_cents) == ("Christmas market", 1200)
    (load,) = reports.queue_load(workspace, 4)
    assert load.name == "MK4" and len(load.weeks) == 4
    assert load.queued_hours == pytest.approx(3 * 130 / 60, abs=0.01)
    levels = {level.name: level.on_hand for level in reports.stock_levels(workspace)}
    assert levels["Planet keyring"] == 12  # 4 counted + 12 printed - 4 packed
