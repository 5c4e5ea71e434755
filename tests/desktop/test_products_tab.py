"""The Products tab: the table with stock from the ledger, low stock, adjusting with a reason (and refusing to
go below zero), the history beside the list, and the product form."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication

from core.services import events, products
from core.services.views import ProductView
from desktop.context import AppContext
from desktop.dialogs.forms import FormDialog
from desktop.tabs.products import ProductsTab
from desktop.tabs.products.models import COL_MARGIN, COL_NAME, COL_ON_HAND, COL_PRICE
from desktop.widgets import colours
from tests.desktop.windows import show_active


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> ProductsTab:
    return show_active(qtbot, ProductsTab(ctx), 1100, 640)


def keyring(ctx: AppContext, on_hand: int = 0, **values: object) -> ProductView:
    product = products.add_product(
        ctx.workspace,
        name="Dragon keyring",
        sku="DRG-1",
        price_cents=800,
        cost_cents=190,
        low_stock=5,
        **values,
    )
    if on_hand:
        products.adjust_stock(ctx.workspace, product.id, on_hand, reason="count")
    return products.get_product(ctx.workspace, product.id)


def cell(tab: ProductsTab, product_id: str, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return tab.model.data(tab.model.index(tab.model.row_of(product_id), column), role)


def history(tab: ProductsTab) -> list[list[str]]:
    model = tab.history
    return [[str(model.data(model.index(r, c))) for c in (1, 2, 4, 5)] for r in range(model.rowCount())]


def ok(qtbot: QtBot, form: FormDialog) -> None:
    assert form.ok_button.isEnabled(), form.ok_button.toolTip()
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)


def test_no_products_says_what_to_add(qtbot: QtBot, tab: ProductsTab) -> None:
    assert tab.pages.currentWidget() is tab.empty
    assert tab.empty.text.text().startswith("No products yet.")
    qtbot.mouseClick(tab.empty.button, Qt.MouseButton.LeftButton)
    assert tab.findChildren(FormDialog)[-1].windowTitle() == "Add a product"


def test_the_table_shows_stock_price_cost_and_margin(tab: ProductsTab, ctx: AppContext) -> None:
    product = keyring(ctx, on_hand=12)
    tab.refresh()
    assert cell(tab, product.id, COL_NAME) == "Dragon keyring"
    assert cell(tab, product.id, COL_ON_HAND) == "12"
    assert cell(tab, product.id, COL_PRICE) == "8.00"
    assert cell(tab, product.id, COL_MARGIN) == "76%"
    assert cell(tab, product.id, COL_ON_HAND, Qt.ItemDataRole.BackgroundRole) is None
    assert tab.summary.text() == "1 product"


def test_adjust_stock_with_a_reason_changes_on_hand_and_history(
    qtbot: QtBot, tab: ProductsTab, ctx: AppContext
) -> None:
    product = keyring(ctx, on_hand=12)
    tab.refresh()
    tab.select(product.id)
    assert tab.on_hand.text() == "12"
    assert history(tab) == [["+12", "Stock count", "", "12"]]

    form = tab.open_adjust()
    assert form is not None
    assert not form.ok_button.isEnabled()  # a change of 0 changes nothing
    form.quantity.setFocus()
    form.quantity.selectAll()
    qtbot.keyClicks(form.quantity, "-3")
    assert form.after.text() == "9 on hand"
    form.reason.setCurrentIndex(form.reason.findData("damaged"))
    qtbot.keyClicks(form.note, "dropped at the market")
    ok(qtbot, form)

    assert products.get_product(ctx.workspace, product.id).on_hand == 9
    assert cell(tab, product.id, COL_ON_HAND) == "9"
    assert tab.on_hand.text() == "9"
    assert history(tab) == [
        ["\u22123", "Damaged", "dropped at the market", "9"],
        ["+12", "Stock count", "", "12"],
    ]
    assert tab.history_view.isColumnHidden(3)  # no events: no "Where" column


def test_taking_away_more_than_on_hand_is_refused_inline(
    qtbot: QtBot, tab: ProductsTab, ctx: AppContext
) -> None:
    product = keyring(ctx, on_hand=3)
    tab.refresh()
    tab.select(product.id)
    form = tab.open_adjust()
    assert form is not None
    form.quantity.setValue(-5)
    assert form.after.text() == "\u22122 on hand"
    ok(qtbot, form)
    error = form.fields["quantity"].error
    assert error.isVisibleTo(form)
    assert error.text() == "Only 3 of Dragon keyring on hand; cannot take away 5."
    assert form.isVisible()
    assert products.get_product(ctx.workspace, product.id).on_hand == 3
    assert len(products.stock_history(ctx.workspace, product.id)) == 1
    form.quantity.setValue(-3)
    assert not error.isVisibleTo(form)
    ok(qtbot, form)
    assert cell(tab, product.id, COL_ON_HAND) == "0"


def test_low_stock_is_highlighted(tab: ProductsTab, ctx: AppContext) -> None:
    low = keyring(ctx, on_hand=5)  # at the level of 5: low
    plenty = products.add_product(ctx.workspace, name="Flexi cat", low_stock=2)
    products.adjust_stock(ctx.workspace, plenty.id, 8)
    tab.refresh()
    palette = QGuiApplication.palette()
    assert cell(tab, low.id, COL_ON_HAND, Qt.ItemDataRole.BackgroundRole) == colours.warning_background(
        palette
    )
    assert QColor(cell(tab, low.id, COL_ON_HAND, Qt.ItemDataRole.ForegroundRole)) == colours.warning(palette)
    assert cell(tab, plenty.id, COL_ON_HAND, Qt.ItemDataRole.BackgroundRole) is None
    assert tab.summary.text() == "2 products · 1 low on stock"
    tab.select(low.id)
    assert tab.on_hand_caption.text() == "on hand: low (flagged at 5 or fewer)."


def test_stock_packed_for_an_event_shows_where_it_went(tab: ProductsTab, ctx: AppContext) -> None:
    product = keyring(ctx, on_hand=10)
    market = events.create_event(ctx.workspace, name="Christmas market")
    events.pack(ctx.workspace, market.id, product.id, 4)
    ctx.ops.changed.emit(frozenset({"stock"}))
    tab.select(product.id)
    assert tab.on_hand.text() == "6"
    assert not tab.history_view.isColumnHidden(3)
    wheres = [tab.history.data(tab.history.index(r, 3)) for r in range(tab.history.rowCount())]
    assert sorted(wheres) == ["Christmas market", "Home", "Home"]


def test_add_and_edit_a_product_through_the_form(qtbot: QtBot, tab: ProductsTab, ctx: AppContext) -> None:
    form = tab.open_add()
    assert not form.ok_button.isEnabled()
    qtbot.keyClicks(form.name, "Flexi cat")
    qtbot.keyClicks(form.sku, "CAT-1")
    qtbot.keyClicks(form.price, "-12")
    ok(qtbot, form)
    assert form.fields["price_cents"].error.text() == "The price cannot be negative."
    assert products.list_products(ctx.workspace) == []
    form.price.clear()
    qtbot.keyClicks(form.price, "12.50")
    qtbot.keyClicks(form.cost, "2.60")
    form.low_stock.setValue(4)
    ok(qtbot, form)
    [added] = products.list_products(ctx.workspace)
    assert (added.sku, added.price_cents, added.cost_cents, added.low_stock) == ("CAT-1", 1250, 260, 4)
    assert tab.selected() == added

    edit = tab.open_edit()
    assert edit is not None and edit.price.text() == "12.50"
    edit.cost.clear()
    ok(qtbot, edit)
    assert products.get_product(ctx.workspace, added.id).cost_cents is None
    assert cell(tab, added.id, COL_MARGIN) == ""


def test_filter_and_delete_with_undo(qtbot: QtBot, tab: ProductsTab, ctx: AppContext) -> None:
    product = keyring(ctx)
    products.add_product(ctx.workspace, name="Gift bag", sku="PKG-S", kind="packaging")
    tab.refresh()
    qtbot.keyClicks(tab.filter, "pkg")
    assert tab.proxy.rowCount() == 1
    tab.filter.clear()
    tab.select(product.id)
    tab.act_delete.trigger()
    assert [p.name for p in products.list_products(ctx.workspace)] == ["Gift bag"]
    assert tab.undo_bar.message.text() == "Deleted Dragon keyring."
    qtbot.mouseClick(tab.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert len(products.list_products(ctx.workspace)) == 2
    assert tab.selected() is not None and tab.selected().id == product.id  # type: ignore[union-attr]


def test_when_every_product_is_archived_the_tab_offers_to_show_them(
    qtbot: QtBot, tab: ProductsTab, ctx: AppContext
) -> None:
    product = keyring(ctx, archived=True)
    tab.refresh()
    assert tab.pages.currentWidget() is tab.empty
    assert tab.empty.text.text() == "Every product is archived."
    qtbot.mouseClick(tab.empty.button, Qt.MouseButton.LeftButton)
    assert tab.show_archived.isChecked()
    assert tab.pages.currentWidget() is tab.table
    assert tab.model.row_of(product.id) == 0


def test_a_scanned_product_is_shown_even_when_filtered_out_or_archived(
    tab: ProductsTab, ctx: AppContext
) -> None:
    dragon = keyring(ctx)
    old = products.add_product(ctx.workspace, name="Old stock", archived=True)
    tab.refresh()
    tab.filter.setText("nothing like it")
    assert tab.select_product(dragon.id)
    assert tab.filter.text() == ""
    assert tab.select_product(old.id)
    assert tab.show_archived.isChecked()
    assert not tab.select_product("0190b3a0-0000-7000-8000-000000000000")


def test_printing_a_product_label_opens_the_label_dialog(
    qtbot: QtBot, tab: ProductsTab, ctx: AppContext
) -> None:
    assert not tab.act_label.isEnabled()
    dragon = keyring(ctx)
    tab.refresh()
    tab.select(dragon.id)
    assert tab.act_label.isEnabled()
    dialog = tab.open_labels()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert [label.title for label in dialog.labels] == ["Dragon keyring"]
    dialog.reject()
