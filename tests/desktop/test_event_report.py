"""The event report beside the packing list: per product units, revenue, unit cost, cost of goods and profit,
totals that match the sales, booth fee and travel, the profit, takings per payment method, best sellers and
the warning about sales beyond the stock; in the user's currency, and up to date after a sale."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from core.services import events, products, reports, settings
from core.services.views import EventView, ProductView
from desktop.context import AppContext
from desktop.tabs.events import EventsTab
from desktop.tabs.events.report import COGS, PROFIT, REVENUE, UNIT_COST, UNITS
from tests.desktop.test_translation import untranslated

TODAY = date(2026, 12, 14)


def make_tab(qtbot: QtBot, ctx: AppContext) -> EventsTab:
    tab = EventsTab(ctx, today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.resize(1200, 760)
    tab.show()
    return tab


def table(tab: EventsTab) -> list[list[str]]:
    model = tab.report.model
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]


def sell_at_a_market(ctx: AppContext) -> tuple[EventView, ProductView, ProductView, ProductView]:
    """Keyrings (cost 2.35) and dice towers (cost 9.10) sold for cash and card, one sale taken back, a tower
    sold beyond the stock, booth 40.00 and travel 15.00."""
    ws = ctx.workspace
    keyring = products.add_product(ws, name="Planet keyring", price_cents=600, cost_cents=235)
    tower = products.add_product(ws, name="Dice tower", price_cents=2400, cost_cents=910)
    lamp = products.add_product(ws, name="Moon lamp", price_cents=4500, cost_cents=1800)
    for product, units in ((keyring, 20), (tower, 1), (lamp, 2)):
        products.adjust_stock(ws, product.id, units)
    event = events.create_event(
        ws, name="Christmas market", starts_on="2026-12-12", booth_fee_cents=4000, travel_cost_cents=1500
    )
    events.set_target(ws, event.id, keyring.id, 20)
    events.set_target(ws, event.id, tower.id, 1)
    events.set_target(ws, event.id, lamp.id, 2)
    events.pack(ws, event.id, keyring.id, 20)
    events.pack(ws, event.id, tower.id, 1)
    events.pack(ws, event.id, lamp.id, 2)
    sell = events.sell
    sell(ws, keyring.id, 3, event_id=event.id, payment_method="cash")
    sell(ws, keyring.id, 2, event_id=event.id, payment_method="card")
    sell(ws, tower.id, 1, event_id=event.id, payment_method="card")
    events.sell(ws, tower.id, 1, event_id=event.id, payment_method="other", at_stall=True)  # beyond the stock
    mistake = sell(ws, lamp.id, 1, event_id=event.id, payment_method="cash")
    events.undo_sale(ws, mistake.id)  # tapped by mistake: nets out
    return event, keyring, tower, lamp


def test_the_report_adds_up_to_the_sales(qtbot: QtBot, ctx: AppContext) -> None:
    event, keyring, tower, _lamp = sell_at_a_market(ctx)
    tab = make_tab(qtbot, ctx)
    assert tab.market_event is not None and tab.market_event.id == event.id
    tab.show_report()
    assert tab.pages.currentWidget() is tab.report

    # Per product, best sellers first; the lamp sold and taken back is not a line; a total row at the end.
    assert table(tab) == [
        ["Planet keyring", "5", "30.00 EUR", "2.35 EUR", "11.75 EUR", "18.25 EUR"],
        ["Dice tower", "2", "48.00 EUR", "9.10 EUR", "18.20 EUR", "29.80 EUR"],
        ["Total", "7", "78.00 EUR", "", "29.95 EUR", "48.05 EUR"],
    ]
    # Revenue less the cost of goods, the booth fee and travel.
    amounts = {key: label.text() for key, label in tab.report.amounts.items()}
    assert amounts == {
        "revenue": "78.00 EUR",
        "cogs": "\u221229.95 EUR",
        "booth": "\u221240.00 EUR",
        "travel": "\u221215.00 EUR",
        "profit": "\u22126.95 EUR",
    }
    # The same figures as core's report, which is the sum of the sales.
    report = reports.event_report(ctx.workspace, event.id)
    sold = events.sales(ctx.workspace, event.id)
    assert report.revenue_cents == sum(s.quantity * s.unit_price_cents for s in sold) == 7800
    assert report.cogs_cents == 5 * 235 + 2 * 910
    assert report.profit_cents == 7800 - 2995 - 4000 - 1500 == -695
    by_payment = {method: label.text() for method, label in tab.report.by_payment.items()}
    assert by_payment == {"cash": "18.00 EUR", "card": "36.00 EUR", "other": "24.00 EUR"}
    assert tab.report.best.text() == "1. Planet keyring: 5 sold\n2. Dice tower: 2 sold"
    assert tab.report.oversold.isVisible()
    assert "Dice tower" in tab.report.oversold.text()
    assert {keyring.id, tower.id} == {r.key for r in tab.report.model.rows() if not r.total}


def test_the_report_follows_new_sales_and_the_currency(qtbot: QtBot, ctx: AppContext) -> None:
    event, keyring, _tower, _lamp = sell_at_a_market(ctx)
    tab = make_tab(qtbot, ctx)
    tab.show_report()
    events.sell(ctx.workspace, keyring.id, 1, event_id=event.id)
    ctx.ops.changed.emit(frozenset({"sales", "stock"}))
    assert table(tab)[0][:3] == ["Planet keyring", "6", "36.00 EUR"]
    assert tab.report.amounts["revenue"].text() == "84.00 EUR"

    settings.set_value(ctx.workspace, "currency", "GBP")
    ctx.ops.changed.emit(frozenset({"settings"}))
    assert table(tab)[0][2] == "36.00 GBP" and tab.report.amounts["profit"].text().endswith("GBP")


def test_a_hidden_report_waits_until_it_is_shown(qtbot: QtBot, ctx: AppContext) -> None:
    event, keyring, _tower, _lamp = sell_at_a_market(ctx)
    tab = make_tab(qtbot, ctx)
    assert tab.pages.currentIndex() == 0  # the packing list is shown first
    events.sell(ctx.workspace, keyring.id, 1, event_id=event.id)
    ctx.ops.changed.emit(frozenset({"sales"}))
    assert tab.report.report is None  # not read while nobody looks at it
    tab.show_report()
    assert tab.report.report is not None and tab.report.report.units == 8


def test_an_event_with_no_sales_shows_its_costs(qtbot: QtBot, ctx: AppContext) -> None:
    events.create_event(ctx.workspace, name="Makers' fair", starts_on="2027-03-06", booth_fee_cents=2500)
    tab = make_tab(qtbot, ctx)
    tab.show_report()
    assert tab.report.model.rowCount() == 0 and not tab.report.table.isVisible()
    assert tab.report.nothing_sold.isVisible()
    assert tab.report.nothing_sold.text().startswith("Nothing sold at Makers' fair yet.")
    assert tab.report.amounts["profit"].text() == "\u221225.00 EUR"
    assert tab.report.best.text() == "None yet." and not tab.report.oversold.isVisible()


def test_a_product_with_no_cost_says_so(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    bag = products.add_product(ws, name="Gift bag", price_cents=100)
    products.adjust_stock(ws, bag.id, 5)
    event = events.create_event(ws, name="Fair", starts_on="2026-12-20")
    events.set_target(ws, event.id, bag.id, 5)
    events.pack(ws, event.id, bag.id, 5)
    events.sell(ws, bag.id, 2, event_id=event.id)
    tab = make_tab(qtbot, ctx)
    tab.show_report()
    model = tab.report.model
    assert [model.index(0, c).data() for c in (UNITS, REVENUE, UNIT_COST, COGS, PROFIT)] == [
        "2", "2.00 EUR", "\u2014", "0.00 EUR", "2.00 EUR",
    ]  # fmt: skip
    assert "No unit cost is known" in str(model.index(0, UNIT_COST).data(3))  # the tooltip


def test_every_text_of_the_report_is_translatable(qtbot: QtBot, ctx: AppContext, pseudo: None) -> None:
    sell_at_a_market(ctx)
    tab = make_tab(qtbot, ctx)
    tab.show_report()
    report = tab.report
    amounts = {label.text() for label in (*report.amounts.values(), *report.by_payment.values())}
    data = {"EUR", "Christmas market", *amounts}
    assert untranslated(report, data) == []
