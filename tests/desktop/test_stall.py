"""Stall mode: tapping tiles sells at once (the day's total and the units left follow), a quantity applies to
the next tap only, the payment method goes to its own total, "Undo last sale" puts the units and the money
back, a sale beyond the stock is recorded and shown, and the keyboard reaches everything."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from core.services import events, products
from core.services.views import EventView, ProductView
from desktop.context import AppContext
from desktop.stall import StallWindow
from desktop.stall.tiles import SaleTile
from desktop.tabs.events import EventsTab
from tests.core.factories import Shop, make_shop
from tests.desktop.test_keyboard import unnamed_controls
from tests.desktop.test_translation import untranslated
from tests.desktop.windows import show_active


@dataclass
class Market:
    shop: Shop
    keyring: ProductView  # 6 packed, 8.00 EUR
    dice: ProductView  # none packed, 24.00 EUR
    event: EventView


def set_up_market(ctx: AppContext) -> Market:
    ws = ctx.workspace
    shop = make_shop(ws)
    products.adjust_stock(ws, shop.product.id, 10)
    dice = products.add_product(ws, name="Dice tower", sku="DICE-1", price_cents=2400)
    event = events.create_event(ws, name="Christmas market", starts_on="2026-12-12", booth_fee_cents=4000)
    events.set_target(ws, event.id, shop.product.id, 6)
    events.set_target(ws, event.id, dice.id, 2)
    events.pack(ws, event.id, shop.product.id, 6)
    return Market(shop, products.get_product(ws, shop.product.id), dice, event)


@pytest.fixture
def market(ctx: AppContext) -> Market:
    return set_up_market(ctx)


def open_stall(qtbot: QtBot, ctx: AppContext, market: Market) -> StallWindow:
    window = StallWindow(ctx, market.event.id)
    return show_active(qtbot, window, 1400, 900)


def tile(window: StallWindow, product: ProductView) -> SaleTile:
    found = window.grid.tile_for(product.id)
    assert found is not None
    return found


def tap(qtbot: QtBot, widget: SaleTile) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def left_at_event(ctx: AppContext, market: Market, product: ProductView) -> int:
    line = next(x for x in events.packing_list(ctx.workspace, market.event.id) if x.product_id == product.id)
    return line.at_event


def test_tapping_tiles_sells_and_the_total_and_units_left_follow(
    qtbot: QtBot, ctx: AppContext, market: Market
) -> None:
    window = open_stall(qtbot, ctx, market)
    assert window.title.text() == "Christmas market"
    assert [t.tile.name for t in window.grid.tiles] == ["Dice tower", "Dragon keyring"]
    keyring = tile(window, market.keyring)
    assert keyring.accessibleName() == "Dragon keyring, 8.00 EUR, 6 left"
    assert window.total.text() == "0.00 EUR" and window.counts.text() == "0 sales, 0 units"
    assert not window.undo_button.isEnabled()

    tap(qtbot, keyring)
    tap(qtbot, keyring)
    assert window.total.text() == "16.00 EUR"
    assert window.counts.text() == "2 sales, 2 units"
    assert keyring.tile.left == 4 and keyring.accessibleName() == "Dragon keyring, 8.00 EUR, 4 left"
    assert left_at_event(ctx, market, market.keyring) == 4
    assert window.message.text() == "Sold 1 × Dragon keyring: 8.00 EUR, cash."
    assert window.last_sale.text() == "1 × Dragon keyring\n8.00\u00a0EUR, cash"
    assert window.undo_button.isEnabled()
    sold = events.sales(ctx.workspace, market.event.id)
    assert [(s.quantity, s.unit_price_cents, s.payment_method) for s in sold] == [(1, 800, "cash")] * 2


def test_a_quantity_applies_to_the_next_tap_only(qtbot: QtBot, ctx: AppContext, market: Market) -> None:
    window = open_stall(qtbot, ctx, market)
    keyring = tile(window, market.keyring)
    qtbot.mouseClick(window.more_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.more_button, Qt.MouseButton.LeftButton)
    assert window.quantity == 3 and window.quantity_value.text() == "3"
    assert window.quantity_hint.text() == "The next tap sells 3; then it is one again."
    tap(qtbot, keyring)
    assert window.total.text() == "24.00 EUR" and window.counts.text() == "1 sale, 3 units"
    assert keyring.tile.left == 3
    assert window.quantity == 1 and not window.less_button.isEnabled()
    tap(qtbot, keyring)
    assert keyring.tile.left == 2 and window.total.text() == "32.00 EUR"


def test_the_payment_method_goes_to_its_own_total(qtbot: QtBot, ctx: AppContext, market: Market) -> None:
    window = open_stall(qtbot, ctx, market)
    keyring = tile(window, market.keyring)
    tap(qtbot, keyring)
    qtbot.mouseClick(window.method_buttons["card"], Qt.MouseButton.LeftButton)
    assert window.payment_method == "card" and window.method_buttons["card"].isChecked()
    assert not window.method_buttons["cash"].isChecked()
    tap(qtbot, keyring)
    tap(qtbot, keyring)
    qtbot.mouseClick(window.method_buttons["other"], Qt.MouseButton.LeftButton)
    tap(qtbot, tile(window, market.dice))
    totals = {method: label.text() for method, label in window.by_method.items()}
    assert totals == {"cash": "8.00 EUR", "card": "16.00 EUR", "other": "24.00 EUR"}
    assert window.total.text() == "48.00 EUR" and window.counts.text() == "4 sales, 4 units"
    assert window.payment_method == "other"  # the method stays chosen until another is
    assert window.last_sale.text() == "1 × Dice tower\n24.00\u00a0EUR, other"


def test_undo_last_sale_puts_back_the_units_and_the_money(
    qtbot: QtBot, ctx: AppContext, market: Market
) -> None:
    window = open_stall(qtbot, ctx, market)
    keyring = tile(window, market.keyring)
    tap(qtbot, keyring)
    window.set_quantity(2)
    window.set_payment_method("card")
    tap(qtbot, keyring)
    assert keyring.tile.left == 3 and window.total.text() == "24.00 EUR"

    qtbot.mouseClick(window.undo_button, Qt.MouseButton.LeftButton)
    assert keyring.tile.left == 5 and left_at_event(ctx, market, market.keyring) == 5
    assert window.total.text() == "8.00 EUR" and window.counts.text() == "1 sale, 1 unit"
    assert window.by_method["card"].text() == "0.00 EUR"
    assert window.message.text() == "Took back 2 × Dragon keyring (16.00 EUR)."
    assert window.last_sale.text() == "1 × Dragon keyring\n8.00\u00a0EUR, cash"
    # The ledger keeps both: the sale, and the entry taking it back.
    assert [s.quantity for s in events.sales(ctx.workspace, market.event.id)] == [1, 2, -2]

    qtbot.mouseClick(window.undo_button, Qt.MouseButton.LeftButton)
    assert keyring.tile.left == 6 and window.total.text() == "0.00 EUR"
    assert window.last_sale.text() == "No sales yet today." and not window.undo_button.isEnabled()


def test_selling_beyond_the_stock_is_recorded_and_shown(
    qtbot: QtBot, ctx: AppContext, market: Market
) -> None:
    window = open_stall(qtbot, ctx, market)
    dice = tile(window, market.dice)
    assert dice.sold_out and dice.accessibleName() == "Dice tower, 24.00 EUR, Sold out"
    tap(qtbot, dice)  # none were packed, but the customer has it in hand: the sale happened
    [sale] = events.sales(ctx.workspace, market.event.id)
    assert sale.oversold and sale.quantity == 1
    assert dice.tile.left == -1 and dice.accessibleName() == "Dice tower, 24.00 EUR, 1 oversold"
    assert window.total.text() == "24.00 EUR"
    assert window.message.text() == (
        "Sold 1 × Dice tower: 24.00 EUR, cash. That is beyond the stock counted at the event: the sale is "
        "kept; count the stock after the market."
    )
    # The warning is in the warning colour, not the plain text colour.
    assert window.message.palette().windowText().color() != window.palette().windowText().color()


def test_sales_made_elsewhere_show_at_once(qtbot: QtBot, ctx: AppContext, market: Market) -> None:
    window = open_stall(qtbot, ctx, market)
    events.sell(ctx.workspace, market.keyring.id, 2, event_id=market.event.id, payment_method="card")
    ctx.ops.changed.emit(frozenset({"sales", "stock"}))
    assert tile(window, market.keyring).tile.left == 4
    assert window.by_method["card"].text() == "16.00 EUR"


def test_the_keyboard_sells_and_changes_the_next_sale(qtbot: QtBot, ctx: AppContext, market: Market) -> None:
    window = open_stall(qtbot, ctx, market)
    dice, keyring = window.grid.tiles
    assert QApplication.focusWidget() is dice  # the first tile is ready for Enter
    qtbot.keyClick(dice, Qt.Key.Key_Right)
    assert QApplication.focusWidget() is keyring
    qtbot.keyClick(keyring, Qt.Key.Key_Plus)
    assert window.quantity == 2
    qtbot.keyClick(keyring, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: keyring.tile.left == 4)
    assert window.quantity == 1

    qtbot.keyClick(keyring, Qt.Key.Key_1)  # the digit of the first tile
    assert QApplication.focusWidget() is dice
    qtbot.keyClick(dice, Qt.Key.Key_2)
    assert QApplication.focusWidget() is keyring
    qtbot.keyClick(keyring, Qt.Key.Key_Space)
    assert keyring.tile.left == 3
    qtbot.keyClick(keyring, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z takes it back
    assert keyring.tile.left == 4

    # Alt+A picks card; the arrow keys move between the payment methods, as between radio buttons.
    qtbot.keyClick(keyring, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.payment_method == "card")
    card = window.method_buttons["card"]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Right)
    assert QApplication.focusWidget() is window.method_buttons["other"] and window.payment_method == "other"

    # Tab walks the screen in reading order, with one stop in the grid (not one per tile).
    window.full_button.setFocus()
    seen = []
    for _ in range(6):
        focus = QApplication.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen[:5] == [window.exit_button, keyring, window.more_button, window.method_buttons["other"],
                        window.undo_button]  # fmt: skip


def test_escape_asks_before_leaving(qtbot: QtBot, ctx: AppContext, market: Market) -> None:
    window = open_stall(qtbot, ctx, market)
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClick(focus, Qt.Key.Key_Escape)
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert box.windowTitle() == "Leave stall mode"
    stay = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    stay.click()
    QApplication.processEvents()
    assert window.isVisible()
    with qtbot.waitSignal(window.closed):
        box = window.confirm_exit()
        leave = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
        leave.click()


def test_the_events_tab_opens_stall_mode_full_screen(qtbot: QtBot, ctx: AppContext, market: Market) -> None:
    tab = show_active(qtbot, EventsTab(ctx), 1100, 700)
    assert tab.market_event is not None and tab.market_event.id == market.event.id
    assert tab.stall_button.isEnabled() and tab.act_stall.shortcut().toString() == "Ctrl+Shift+S"
    qtbot.mouseClick(tab.stall_button, Qt.MouseButton.LeftButton)
    window = tab.stall_window
    assert isinstance(window, StallWindow) and window.event_id == market.event.id
    qtbot.waitUntil(window.isFullScreen)
    assert tab.open_stall() is window  # a second time brings the same window to the front
    tap(qtbot, tile(window, market.keyring))
    # The Events tab follows: the packing list shows the sale.
    assert next(r for r in tab.packing.rows() if r.product_id == market.keyring.id).line.sold == 1
    window.toggle_full_screen()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    window.close()
    assert tab.stall_window is None


def test_an_empty_packing_list_says_what_to_do(qtbot: QtBot, ctx: AppContext) -> None:
    event = events.create_event(ctx.workspace, name="Spring fair")
    window = show_active(qtbot, StallWindow(ctx, event.id))
    assert window.grid.tiles == [] and window.empty.isVisible()
    assert "packing list of Spring fair is empty" in window.empty.text()


def test_every_control_has_a_name(qtbot: QtBot, ctx: AppContext, market: Market) -> None:
    window = open_stall(qtbot, ctx, market)
    assert unnamed_controls(window) == []
    assert window.windowTitle() == "Stall mode: Christmas market"
    for widget in window.grid.tiles:
        assert widget.accessibleName() and widget.accessibleDescription()


def test_every_text_is_translatable(qtbot: QtBot, ctx: AppContext, market: Market, pseudo: None) -> None:
    window = open_stall(qtbot, ctx, market)
    tap(qtbot, tile(window, market.keyring))
    tap(qtbot, tile(window, market.dice))  # the oversold message too
    amounts = {label.text() for label in (window.total, *window.by_method.values())}
    data = {"EUR", "Christmas market", "\u2212", "+", window.subtitle.text(), *amounts}  # data, and the date
    assert untranslated(window, data) == []
