"""Plan production from the Events tab: per packing-list product the target against packed, at home and
queued, what is short and the plates to print (rounded up by the units a plate holds), the products that
cannot be printed, the filament against the shelf with what to buy, and "Queue N jobs", which queues them for
the event through `ctx.ops` so the queue refreshes."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from core.services import events, jobs, products
from core.services.views import EventView
from desktop.context import AppContext
from desktop.tabs.events import EventsTab
from desktop.tabs.events.plan import PlanProductionDialog
from tests.core.factories import Shop, make_shop
from tests.desktop.test_keyboard import unnamed_controls
from tests.desktop.test_translation import untranslated

TODAY = date(2026, 11, 20)


def make_tab(qtbot: QtBot, ctx: AppContext) -> EventsTab:
    tab = EventsTab(ctx, today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.resize(1100, 700)
    tab.show()
    return tab


def rows(dialog: PlanProductionDialog) -> list[list[str]]:
    model = dialog.lines
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]


def filament_rows(dialog: PlanProductionDialog) -> list[list[str]]:
    model = dialog.filament
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]


def plan_a_market(ctx: AppContext, grams_mg: int = 12_500) -> tuple[Shop, EventView]:
    """Keyrings printed 6 to a plate: a target of 30, 5 packed, 4 at home, one plate (6 units) queued already;
    and lamps, which have no variant to print."""
    ws = ctx.workspace
    shop = make_shop(ws, units_per_plate=6, grams_mg=grams_mg)
    products.adjust_stock(ws, shop.product.id, 9)
    lamp = products.add_product(ws, name="Moon lamp", price_cents=4500)
    event = events.create_event(ws, name="Christmas market", starts_on="2026-12-12")
    events.set_target(ws, event.id, shop.product.id, 30)
    events.set_target(ws, event.id, lamp.id, 2)
    events.pack(ws, event.id, shop.product.id, 5)
    jobs.queue_job(ws, shop.variant.id, copies=1, printer_id=shop.printer.id, product_id=shop.product.id)
    return shop, event


def test_plan_production_queues_the_plates_the_targets_lack(qtbot: QtBot, ctx: AppContext) -> None:
    shop, event = plan_a_market(ctx)
    tab = make_tab(qtbot, ctx)
    assert tab.plan_button.isEnabled()
    qtbot.mouseClick(tab.plan_button, Qt.MouseButton.LeftButton)
    dialog = tab.findChild(PlanProductionDialog)
    assert isinstance(dialog, PlanProductionDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Plan production for Christmas market"

    # 30 - 5 packed - 4 at home - 6 queued = 15 short: 3 plates of 6 (18 units).
    assert rows(dialog) == [
        ["Dragon keyring", "30", "5", "4", "6", "15", "3 plates (18 units)"],
        ["Moon lamp", "2", "0", "0", "0", "2", "No variant to print"],
    ]
    assert dialog.notes.isVisibleTo(dialog)
    assert dialog.notes.text() == "Moon lamp has no variant to print: make or buy 2 more."
    assert "Printing 3 plates makes 18 units." in dialog.summary.text()
    assert dialog.queue_button.text() == "&Queue 1 job" and dialog.queue_button.isEnabled()
    assert len(jobs.list_jobs(ctx.workspace)) == 1

    with qtbot.waitSignal(ctx.ops.changed) as changed:
        qtbot.mouseClick(dialog.queue_button, Qt.MouseButton.LeftButton)
    assert "jobs" in changed.args[0]  # the queue tab listens for it
    queued = [j for j in jobs.list_jobs(ctx.workspace) if j.event_id == event.id]
    assert [(j.variant_id, j.product_id, j.copies, j.status) for j in queued] == [
        (shop.variant.id, shop.product.id, 3, "queued")
    ]
    # The dialog shows the plan again: covered now, nothing more to queue.
    assert rows(dialog)[0] == ["Dragon keyring", "30", "5", "4", "24", "0", "\u2713"]
    assert dialog.done_note.isVisibleTo(dialog)
    assert (
        dialog.done_note.text() == "Queued 1 job (3 plates) for Christmas market: it is in the print queue."
    )
    assert not dialog.queue_button.isEnabled()
    dialog.close()


def test_the_filament_is_checked_against_the_shelf(qtbot: QtBot, ctx: AppContext) -> None:
    plan_a_market(ctx, grams_mg=400_000)  # 400 g a plate: 4 plates need 1,600 g, the one spool holds 1,000 g
    tab = make_tab(qtbot, ctx)
    dialog = tab.plan_production()
    assert dialog is not None
    assert filament_rows(dialog) == [
        ["Prusament PLA Galaxy Black", "1,600 g", "1,000 g", "1 spool of 1,000 g (24.99 EUR)"]
    ]
    assert dialog.filament_summary.text() == (
        "The queue with these jobs runs short of 1 filament. Buying the spools costs 24.99 EUR."
    )
    dialog.close()


def test_a_covered_packing_list_has_nothing_to_queue(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws, units_per_plate=6)
    products.adjust_stock(ws, shop.product.id, 10)
    event = events.create_event(ws, name="Fair", starts_on="2026-12-12")
    events.set_target(ws, event.id, shop.product.id, 8)
    tab = make_tab(qtbot, ctx)
    dialog = tab.plan_production()
    assert dialog is not None
    assert rows(dialog) == [["Dragon keyring", "8", "0", "10", "0", "0", "\u2713"]]
    assert dialog.summary.text().startswith("Everything on the packing list is covered")
    assert not dialog.queue_button.isEnabled() and dialog.close_button.isDefault()
    dialog.close()


def test_plan_production_needs_a_packing_list(qtbot: QtBot, ctx: AppContext) -> None:
    events.create_event(ctx.workspace, name="Fair", starts_on="2026-12-12")
    tab = make_tab(qtbot, ctx)
    assert not tab.plan_button.isEnabled() and not tab.act_plan.isEnabled()
    assert tab.act_plan in tab.menu_actions() and tab.act_stall in tab.menu_actions()


def test_every_control_has_a_name_and_every_text_is_translatable(
    qtbot: QtBot, ctx: AppContext, pseudo: None
) -> None:
    plan_a_market(ctx)
    tab = make_tab(qtbot, ctx)
    dialog = tab.plan_production()
    assert dialog is not None
    assert unnamed_controls(dialog) == []
    assert untranslated(dialog, {"EUR"}) == []
    dialog.close()
